"""Catalog search benchmark on the region-scale data (run bench/generate.py first).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench \\
        .venv/bin/python bench/catalog_search.py [--rounds 20] [--pages]

Runs a fixed mix of real-looking queries (words, word forms, misspellings, filters,
search with filters, sorts, deep pages) through ``opora.navigator.catalog`` — the
code the catalog page and the API run — and prints per kind of query the p50/p95 of
a whole search (reading the typed text, facet counts with the total, the page of
results with its programs) next to the p50/p95 of the bare SQL it runs: the same
statements, captured from the selector and replayed on a raw database cursor. Every
kind is sampled alike: ten searches a round, its queries taken in turn.
``--pages`` also times the whole HTML page (with template rendering) through
Django's test client.

``--throughput`` serves ``THROUGHPUT_PATHS`` (the catalog page and the API search) with
gunicorn, 5 sync workers, under a bounded load of keep-alive connections
(``catalog_load.load``), and in the same run the bare floor: a WSGI application that
replays the statements a warm request of that path sends, on a raw psycopg connection
(``catalog_load.bare_app``), under the same gunicorn settings; it prints requests/s of
both and their ratio, per run and the medians.

Precision: a labelled set of searches a parent types (``LABELLED``), each with the
specialisations whose programs are the right answers (the generator draws every title
from its specialisation's list in ``bench/words.py``, so the label is known). For each,
precision@10 is the share of the first ten results that are right (out of ten, or of
all the right programs when there are fewer). It is printed next to the bare baseline
of the same run: the plain substring search ``LIKE '%word%'`` on title and description
ordered by title — what a search with no understanding of words gives — and as a ratio.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
# Measured as in production (no debug mode), with a throwaway secret key.
os.environ.setdefault("OPORA_SECRET_KEY", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.rush import stop_server  # noqa: E402
from opora.navigator import filters  # noqa: E402
from opora.navigator.catalog import search_catalog  # noqa: E402

MIX = {
    "browse (no query, no filter)": ["", "sort=title"],
    "words": ["q=робототехника", "q=танцы", "q=шахматы", "q=английский", "q=футбол", "q=вокал",
              "q=театр", "q=плавание", "q=программирование", "q=рисунок"],
    "word forms": ["q=роботов", "q=танцевальный", "q=шахматная", "q=английскому", "q=театральная студия",
                   "q=юные+экологи", "q=танцы+для+детей"],
    "misspellings": ["q=робототехнека", "q=шахмматы", "q=футбл", "q=англиский", "q=програмирование",
                     "q=тиатр"],
    "filters": ["age=7&payment=free", "municipality=3&direction=arts", "level=advanced&form=distance",
                "ovz=speech", "open=1&free_seats=1", "max_price=1500&payment=paid", "rural=1&age=10",
                "direction=technical&direction=natural_science&age=12&level=base"],
    "search + filters": ["q=танцы&age=6", "q=футбол&municipality=5", "q=английский&payment=certificate&open=1",
                         "q=робот&age=9&payment=free&free_seats=1", "q=школа&rural=1"],
    "broad word": ["q=школа", "q=детей"],
    "sorts": ["sort=start&direction=sports", "q=шахматы&sort=title", "q=танцы&sort=start",
              "age=8&sort=title"],
    "deep pages": ["page=200", "page=500&sort=title", "q=робот&page=20", "direction=social&page=100"],
}

# samples of each kind per round (``_each_kind_alike``): the most queries a kind has
SAMPLES_PER_ROUND = max(len(queries) for queries in MIX.values())

# query -> the specialisations whose programs answer it (names as in registry migration 0002)
LABELLED = {
    "танцы": {"Хореография"},
    "хореография": {"Хореография"},
    "народный танец": {"Хореография"},
    "танцы для девочки 8 лет": {"Хореография"},
    "робототехника": {"Робототехника"},
    "лего": {"Робототехника"},
    "роботы для мальчика": {"Робототехника"},
    "шахматы": {"Шахматы"},
    "футбол": {"Футбол"},
    "английский для ребёнка": {"Иностранные языки"},
    "вокал": {"Вокал"},
    "театр": {"Театр"},
    "плавание": {"Плавание"},
    "питон": {"Программирование"},
    "программирование на питоне": {"Программирование"},
    "изо": {"Изобразительное искусство"},
    "рисование": {"Изобразительное искусство"},
    "офп": {"ГТО и общая физическая подготовка"},
    "гто": {"ГТО и общая физическая подготовка"},
    "дзюдо секция": {"Единоборства"},
    "экология": {"Экология"},
    "квадрокоптеры": {"Беспилотные авиационные системы"},
}


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def statements(flt):
    """The SQL a search runs, as sent to the server."""
    with CaptureQueriesContext(connection) as captured:
        search_catalog(flt)
    return [q["sql"] for q in captured.captured_queries]


def bare(sqls, raw):
    started = time.perf_counter()
    for sql in sqls:
        raw.execute(sql)
        raw.fetchall()
    return time.perf_counter() - started


def timed(call):
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _baseline_ids(typed, limit=10):
    """The bare baseline: every word (ё as е, bare numbers left out) as a substring of
    the title or description, ordered by title."""
    words = [w for w in typed.lower().replace("ё", "е").split() if not w.isdigit()]
    if not words:
        return []
    text = "lower(replace(p.title || ' ' || p.description, 'ё', 'е'))"
    where = " AND ".join(f"{text} LIKE %s" for _ in words)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT e.program_id FROM navigator_catalogentry e JOIN registry_program p "
                       f"ON p.id = e.program_id WHERE {where} ORDER BY e.title, e.program_id LIMIT %s",
                       [*(f"%{w}%" for w in words), limit])
        return [row[0] for row in cursor.fetchall()]


def precision(rounds):
    """precision@10 of the catalog search and of the bare baseline, per labelled query."""
    from django.db.models import Count

    from opora.navigator.models import CatalogEntry

    by_name = dict(CatalogEntry.objects.values_list("specialisation__name").annotate(n=Count("pk"))
                   .values_list("specialisation__name", "n"))
    specialisation = dict(CatalogEntry.objects.values_list("program_id", "specialisation__name"))
    rows, times = [], []
    for typed, names in LABELLED.items():
        available = sum(by_name.get(name, 0) for name in names)
        flt, errors = filters.parse({"q": [typed], "page_size": ["10"]})
        assert not errors, (typed, errors)
        found = [p.pk for p in search_catalog(flt).items]
        for _round in range(rounds):
            times.append(timed(lambda flt=flt: search_catalog(flt)))
        baseline = _baseline_ids(typed)
        share = min(10, available) or 1
        rows.append((typed, sum(specialisation.get(pk) in names for pk in found[:10]) / share,
                     sum(specialisation.get(pk) in names for pk in baseline[:10]) / share,
                     len(found), len(baseline)))
    return rows, times


THROUGHPUT_PATHS = ["/", "/api/v1/programs?q=танцы"]


def _server(app, port, log, statements):
    import subprocess

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "opora.settings", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
           "OPORA_DEBUG": "false", "OPORA_ALLOWED_HOSTS": "127.0.0.1",
           "OPORA_SSL_REDIRECT": "false", "OPORA_LOG_LEVEL": "ERROR", "CATALOG_BARE_STATEMENTS": statements}
    command = [str(Path(sys.executable).parent / "gunicorn"), app, "--preload", "--workers", "5",
               "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--keep-alive", "30", "--backlog", "2048",
               "--log-level", "warning", "--graceful-timeout", "10"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)


def _answered(result) -> bool:
    return result["rps"] > 0 and not result["failures"]


def _quoted(path):
    from urllib.parse import quote

    return quote(path, safe="/?=&")


def throughput(args):
    """requests/s of each path against its bare SQL, ``args.runs`` runs."""
    import json
    import tempfile

    from django.test import Client, override_settings

    from bench.catalog_load import load

    client = Client()
    captured = {}
    for path in THROUGHPUT_PATHS:
        # the floor is the page's own SQL: the statements of a warm request that renders
        # the page (cached facets), not of one answered from the kept page (pagecache),
        # which sends only the catalog's version
        with override_settings(OPORA_CATALOG_PAGE_SECONDS=0):
            assert client.get(path, secure=True).status_code == 200  # the warm state: cached facets
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path, secure=True).status_code == 200
        captured[path] = [q["sql"] for q in queries.captured_queries]
        client.get(path, secure=True)
        with CaptureQueriesContext(connection) as kept:
            assert client.get(path, secure=True).status_code == 200
        print(f"{path}: {len(captured[path])} statements a warm request sends to render it (the floor), "
              f"{len(kept)} a repeated anonymous request sends")
    results = {path: {"app": [], "bare": []} for path in THROUGHPUT_PATHS}
    with tempfile.TemporaryDirectory() as tmp:
        statements = str(Path(tmp, "statements.json"))
        Path(statements).write_text(json.dumps(captured))
        log = open(Path(tmp, "gunicorn.log"), "w")  # noqa: SIM115 — closed below
        try:
            for run in range(args.runs):
                for side, app in (("app", "opora.wsgi"), ("bare", "bench.catalog_load:bare_app")):
                    server = _server(app, args.port, log, statements)
                    try:
                        # listening once an answer comes back (``load`` counts a refused
                        # connection as a failure, it does not raise)
                        started = time.monotonic()
                        while not _answered(load(args.port, "/", 0.01, 1)):
                            assert time.monotonic() - started < 300, f"{app} did not answer within 300 s"
                            time.sleep(0.2)
                        # every worker warm (the views and templates are loaded before the
                        # fork, the facet cache is each worker's own): load until every answer
                        # came back within a second
                        for path in THROUGHPUT_PATHS:
                            for _attempt in range(60):
                                warm = load(args.port, _quoted(path), 2, 10)
                                if _answered(warm) and warm["max"] < 1000:
                                    break
                        for path in THROUGHPUT_PATHS:
                            result = load(args.port, _quoted(path), args.seconds, args.concurrency)
                            assert not result["failures"], (side, path, result["failures"][:5])
                            results[path][side].append(result)
                    finally:
                        stop_server(server)
                load1 = os.getloadavg()[0]
                for path in THROUGHPUT_PATHS:
                    app_rps, bare_rps = results[path]["app"][-1]["rps"], results[path]["bare"][-1]["rps"]
                    print(f"run {run + 1}: {path:32} {app_rps:7.1f} req/s (p50 {results[path]['app'][-1]['p50']:.0f} "
                          f"ms), bare SQL {bare_rps:7.1f} req/s, ratio {app_rps / bare_rps:.2f}; "
                          f"load average {load1:.1f}")
        finally:
            log.close()
    for path in THROUGHPUT_PATHS:
        ratios = [a["rps"] / b["rps"] for a, b in zip(results[path]["app"], results[path]["bare"], strict=True)]
        print(f"median {path:32} {statistics.median(r['rps'] for r in results[path]['app']):7.1f} req/s, "
              f"bare SQL {statistics.median(r['rps'] for r in results[path]['bare']):7.1f} req/s, "
              f"ratio {statistics.median(ratios):.2f} (runs {', '.join(f'{r:.2f}' for r in ratios)})")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pages", action="store_true", help="also time the rendered HTML page")
    parser.add_argument("--detail", action="store_true", help="also print each query's times")
    parser.add_argument("--precision-only", action="store_true", help="only the labelled set")
    parser.add_argument("--throughput", action="store_true", help="only the throughput pair under gunicorn")
    parser.add_argument("--runs", type=int, default=3, help="throughput runs")
    parser.add_argument("--seconds", type=float, default=10, help="load per path and run")
    parser.add_argument("--concurrency", type=int, default=10, help="connections of load")
    parser.add_argument("--port", type=int, default=8771)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("the benchmark needs PostgreSQL with bench/generate.py's data")
    if args.throughput:
        return throughput(args)
    from opora.navigator.models import CatalogEntry

    client = None
    if args.pages:
        from django.test import Client

        client = Client()
        # production settings redirect plain HTTP: ask over HTTPS, or the page column
        # would time a 301 (it did until December 2026)
        first = client.get("/?q=танцы", secure=True)
        assert first.status_code == 200, first.status_code
    print(f"catalog: {CatalogEntry.objects.count():,} public programs; {args.rounds} rounds, "
          f"{SAMPLES_PER_ROUND} searches of each kind a round")
    rows, labelled_times = precision(max(1, args.rounds // 4))
    print(f"{'labelled query':32} {'P@10':>6} {'bare P@10':>9} {'ratio':>6} {'found':>6} {'bare':>5}")
    for typed, ours, base, found, bare_found in rows:
        ratio = f"{ours / base:6.2f}" if base else "   inf" if ours else "     -"
        print(f"{typed:32} {ours:6.2f} {base:9.2f} {ratio} {found:>6} {bare_found:>5}")
    mean, base_mean = (statistics.mean(r[1] for r in rows), statistics.mean(r[2] for r in rows))
    print(f"{'mean precision@10':32} {mean:6.2f} {base_mean:9.2f} "
          f"{(mean / base_mean if base_mean else float('inf')):6.2f}")
    ms = [1000 * t for t in labelled_times]
    print(f"labelled searches: {len(ms)}, p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, .95):.1f} ms")
    if args.precision_only:
        return 0
    raw = connection.cursor().cursor
    cases = []
    for kind, queries in MIX.items():
        for query in queries:
            flt, errors = filters.parse(QueryDict(query))
            assert not errors, (query, errors)
            search_catalog(flt)  # warm the caches
            cases.append((kind, query, flt, statements(flt)))

    results = {kind: {"search": [], "sql": [], "page": [], "found": []} for kind in MIX}
    per_query = {query: {"search": [], "sql": []} for _kind, query, _flt, _sqls in cases}
    for _round in range(args.rounds):
        for kind, query, flt, sqls in _each_kind_alike(cases):
            result = results[kind]
            result["search"].append(timed(lambda flt=flt: search_catalog(flt)))
            result["sql"].append(bare(sqls, raw))
            per_query[query]["search"].append(result["search"][-1])
            per_query[query]["sql"].append(result["sql"][-1])
            if client is not None:
                result["page"].append(timed(lambda query=query: client.get("/?" + query, secure=True)))
    for kind, _query, flt, _sqls in cases:
        results[kind]["found"].append(search_catalog(flt).count)

    header = f"{'kind':32} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'SQL p50':>8} {'SQL p95':>8} {'p95 ratio':>9}"
    if client is not None:
        header += f" {'page p50':>9} {'page p95':>9}"
    print(header)
    everything = {"search": [], "sql": [], "page": []}
    for kind, result in results.items():
        for key in everything:
            everything[key] += result[key]
        print(_line(kind, result, client is not None))
    print(_line("all", everything, client is not None))
    if args.detail:
        for query, result in per_query.items():
            print(_line(query or "(catalog home)", result, False))
    print("programs found per query:", {kind: r["found"] for kind, r in results.items()})
    return 0


def _each_kind_alike(cases):
    """One round: every kind of the mix sampled as often as the kind with most queries
    (``SAMPLES_PER_ROUND``), its queries taken in turn. A kind of two queries would
    otherwise have its p95 from two samples a round: of ten rounds, the second largest
    of twenty, which one hiccup of a shared machine decides."""
    by_kind = {}
    for case in cases:
        by_kind.setdefault(case[0], []).append(case)
    for kind_cases in by_kind.values():
        for turn in range(SAMPLES_PER_ROUND):
            yield kind_cases[turn % len(kind_cases)]


def _line(kind, result, pages):
    ms = [1000 * v for v in result["search"]]
    sql = [1000 * v for v in result["sql"]]
    line = (f"{kind:32} {len(ms):>4} {statistics.median(ms):7.1f} {percentile(ms, .95):7.1f} "
            f"{statistics.median(sql):8.1f} {percentile(sql, .95):8.1f} "
            f"{percentile(ms, .95) / percentile(sql, .95):9.2f}")
    if pages:
        page = [1000 * v for v in result["page"]]
        line += f" {statistics.median(page):9.1f} {percentile(page, .95):9.1f}"
    return line


if __name__ == "__main__":
    sys.exit(main())
