"""Open data: children covered by supplementary education by municipality of residence
and direction, with totals, anonymised by suppressing small cells.

The table: a cell per (municipality, direction), a total per municipality (distinct
children, so a municipality's cells may add up to more than its total: a child counts in
each of its directions), a total per direction and the region's total. Its figures come
from the latest snapshot of the region (the nightly one), or are counted now when there
is none.

Suppression (docs/decisions.md): every figure under ``THRESHOLD`` is withheld (primary);
then in every line whose total is published — a municipality's row with its total, a
direction's column with its total, the column of municipality totals with the region's
total — a lone withheld figure would be the total minus the others, so the smallest
other non-zero figure of that line is withheld too (secondary), repeated until no line
has exactly one withheld non-zero figure (a withheld zero protects nothing: it may be
known to be zero). A line with nothing else to withhold withholds its total.
"""

import json

from django.db.models import Count, F
from django.utils import timezone

from opora.monitoring.indicators import PROGRAM, RESIDENCE, live_enrolments
from opora.monitoring.models import Snapshot
from opora.registry.choices import Direction
from opora.registry.models import Municipality

THRESHOLD = 5
TOTAL = "total"


def _figures() -> tuple[str, dict, dict, dict, int]:
    """(date, cells {(municipality_id, direction): n}, municipality totals, direction
    totals, region total)."""
    snapshot = (Snapshot.objects.filter(municipality__isnull=True).order_by("-on_date")
                .only("on_date", "values").first())
    if snapshot is not None and snapshot.values.get("municipalities") is not None:
        values = snapshot.values
        cells = {(row["id"], direction): n for row in values["municipalities"]
                 for direction, n in row["direction"].items()}
        rows = {row["id"]: row["children"] for row in values["municipalities"]}
        columns = dict(values.get("breakdowns", {}).get("direction", {}))
        return (snapshot.on_date.isoformat(), cells, rows, columns,
                values["indicators"]["coverage"]["numerator"])
    day = timezone.localdate()
    live = live_enrolments(day)
    cells = {(m, d): n for m, d, n in live.values_list(f"{RESIDENCE}_id", f"{PROGRAM}__direction")
             .annotate(n=Count("child_id", distinct=True)).order_by()}
    rows = dict(live.values_list(f"{RESIDENCE}_id").annotate(n=Count("child_id", distinct=True))
                .order_by())
    columns = dict(live.values_list(F(f"{PROGRAM}__direction"))
                   .annotate(n=Count("child_id", distinct=True)).order_by())
    total = live.aggregate(n=Count("child_id", distinct=True))["n"]
    return day.isoformat(), cells, rows, columns, total


def suppress(cells: dict, rows: dict, columns: dict, total: int,
             municipalities: list, directions: list) -> set:
    """The keys to withhold: cells ``(m, d)``, municipality totals ``(m, TOTAL)``,
    direction totals ``(TOTAL, d)`` and ``(TOTAL, TOTAL)``. Missing cells count as 0."""
    value = {**{(m, d): cells.get((m, d), 0) for m in municipalities for d in directions},
             **{(m, TOTAL): rows.get(m, 0) for m in municipalities},
             **{(TOTAL, d): columns.get(d, 0) for d in directions},
             (TOTAL, TOTAL): total}
    hidden = {key for key, n in value.items() if n < THRESHOLD}
    # Each line: (the figures that add up, or are bounded by, its total; the total).
    lines = [([(m, d) for d in directions], (m, TOTAL)) for m in municipalities]
    lines += [([(m, d) for m in municipalities], (TOTAL, d)) for d in directions]
    lines.append(([(m, TOTAL) for m in municipalities], (TOTAL, TOTAL)))
    changed = True
    while changed:
        changed = False
        for members, line_total in lines:
            if line_total in hidden:
                continue
            # Withheld zeros protect nothing (a municipality may be known to have no
            # provider): a line needs none or at least two withheld non-zero figures.
            withheld = [key for key in members if key in hidden and value[key] > 0]
            if len(withheld) != 1:
                continue
            others = sorted((key for key in members if key not in hidden and value[key] > 0),
                            key=lambda k: value[k])
            hidden.add(others[0] if others else line_total)
            changed = True
    return hidden


def table() -> dict:
    """The published table: date, threshold, and rows of (municipality, OKTMO, direction,
    children or None when withheld); «Всего» rows carry the totals."""
    on_date, cells, rows, columns, total = _figures()
    municipalities = list(Municipality.objects.order_by("name").values_list("pk", "name", "oktmo"))
    ids = [pk for pk, _name, _oktmo in municipalities]
    directions = [key for key, _label in Direction.choices]
    hidden = suppress(cells, rows, columns, total, ids, directions)
    labels = dict(Direction.choices)
    records = []
    for pk, name, oktmo in [*municipalities, (TOTAL, "Регион", "")]:
        for direction in [*directions, TOTAL]:
            key = (pk, direction)
            if pk == TOTAL and direction == TOTAL:
                figure = total
            elif pk == TOTAL:
                figure = columns.get(direction, 0)
            elif direction == TOTAL:
                figure = rows.get(pk, 0)
            else:
                figure = cells.get(key, 0)
            records.append({
                "municipality": name, "oktmo": oktmo,
                "direction": str(labels[direction]) if direction != TOTAL else "Всего",
                "children": None if key in hidden else figure,
            })
    return {"date": on_date, "threshold": THRESHOLD, "rows": records}


def csv_rows(data: dict):
    for row in data["rows"]:
        yield [row["municipality"], row["oktmo"], row["direction"],
               "" if row["children"] is None else row["children"]]


CSV_HEADER = ["Муниципалитет", "ОКТМО", "Направленность", "Детей"]


def json_text(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)

