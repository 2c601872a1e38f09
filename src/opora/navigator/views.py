"""Public pages of the navigator: the catalog, a program, an organization, the
directions and the open data. Thin: the queries live in ``catalog`` and
``selectors``; every page works without JavaScript, htmx only refreshes the results."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opora.core.exporters import csv_response
from opora.errors import NotFound
from opora.navigator import catalog, codes, filters, opendata, pagecache, selectors
from opora.registry import hooks as registry_hooks
from opora.registry.choices import Direction


def _query(flt, **changes):
    return urlencode(filters.to_query(flt, **changes), doseq=True)


def _pager(page):
    """Links of the pager: first, a window around the current page, last."""
    current, last = page.page, page.pages
    numbers = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    return {
        "pages": [(n, _query(page.filters, page=n)) for n in numbers],
        "previous": _query(page.filters, page=current - 1) if current > 1 else None,
        "next": _query(page.filters, page=current + 1) if current < last else None,
        "first_page": _query(page.filters, page=1),
    }


def _catalog_context(flt, errors, page):
    flt = page.filters  # with the age and municipality read from the text
    active = [name for name, value in filters.to_query(flt).items()
              if name not in ("q", "sort", "page", "page_size")]
    return {
        "filters": flt,
        "errors": errors,
        "result": page,
        "facets": page.facets,
        "active_filters": len(active),
        **_pager(page),
        **_sorts(flt),
        "cards": _cards(page.items, flt.near),
        "map_query": _query(flt, page=1, sort=""),
        "extra_facets": [(name, page.facets[name], errors.get(name)) for name in ("free_seats", "open", "rural")],
        "boost": True,
        # what was read from the text, each with the link that removes it
        "chips": [(label, _query(flt, **{name: None})) for name, label in page.understood],
    }


def _sorts(flt):
    """The sort choices; the first («») is the default: relevance for a search, the
    nearest start otherwise, so a new search from a sorted-by-default page ranks."""
    start, title = _("по ближайшему началу занятий"), _("по названию")
    if flt.q:
        sorts = [("", _("по соответствию запросу")), ("start", start), ("title", title)]
    else:
        sorts = [("", start), ("title", title)]
    if flt.near is not None:
        sorts.append(("distance", _("по расстоянию от точки")))
    chosen = "" if flt.sort in ("", "relevance") or (flt.sort == "start" and not flt.q) else flt.sort
    if chosen == "distance" and flt.near is None:
        chosen = ""
    return {"sorts": sorts, "chosen_sort": chosen}


def _cards(programs, near=None):
    """What a result card shows (``catalog.Card``), worked out here once per card rather
    than by template tags in the loop (links, the line about the start, the seats): a
    page has 25."""
    program_url = reverse("navigator:program", args=[0])[:-2]  # "…/programs/"
    organization_url = reverse("navigator:organization", args=[0])[:-2]
    today = timezone.localdate()
    for program in programs:
        program.distance_km = (catalog.kilometres(near, (program.latitude, program.longitude))
                               if near is not None and program.has_location else None)
        program.url = f"{program_url}{program.pk}/"
        program.organization_url = f"{organization_url}{program.organization_id}/"
        program.badges = selectors.payment_badges(program.payment, program.min_paid_price)
        program.level_names = ", ".join(str(label) for label in codes.labels_of(codes.LEVELS, program.levels))
        program.form_names = ", ".join(str(label) for label in codes.labels_of(codes.FORMS, program.forms))
        if program.next_start is None:
            program.start_text = _("Нет набираемых групп")
        else:
            date = date_format(program.next_start, "j E Y")
            program.start_text = (_("Занятия идут с %(date)s") if program.next_start <= today
                                  else _("Ближайшая группа начинает занятия %(date)s")) % {"date": date}
    return programs


def home(request):
    """The catalog: search box, filters with counts, results. An htmx request gets the
    results and the refreshed filter counts only. A visitor who is not signed in gets
    the page kept for the catalog's version when there is one (``pagecache``)."""
    partial = bool(request.headers.get("HX-Request"))
    key = pagecache.key_for(request, partial)
    kept = pagecache.get(key)
    if kept is not None:
        return pagecache.serve(request, kept)
    flt, errors = filters.parse(request.GET)
    if errors:
        key = None  # rendered each time with its messages
    page = catalog.search_catalog(flt)
    context = {**_catalog_context(flt, errors, page), **pagecache.context(key)}
    context["filters_html"] = _filters_html(request, context, page, oob=partial)
    html = render_to_string("navigator/_catalog_update.html" if partial else "navigator/catalog.html",
                            context, request)
    if key is None:
        return HttpResponse(html)
    pagecache.put(key, html)
    return pagecache.serve(request, html)


def _filters_html(request, context, page, oob):
    """The filter fields with their counts. For a broad search (facets from the cache,
    ``CatalogPage.facets_key``) the rendered block is kept under the same key, as long
    as the counts hold: ~150 choices are rendered once per catalog version, not per
    request. A page with a wrong value is rendered each time (its messages)."""
    key = None
    if page.facets_key and not context["errors"]:
        key = f"{page.facets_key}:html:{get_language()}:{page.filters.page_size}:{int(oob)}"
        found = cache.get(key)
        if found is not None:
            return mark_safe(found)  # noqa: S308 — our own rendered template
    html = render_to_string("navigator/_filters.html", {**context, "oob": oob}, request)
    seconds = int(page.facets_until - time.time())
    if key and seconds > 0:
        cache.set(key, str(html), seconds)
    return html


def map_page(request):
    """The found programs' organizations on a map (tiles from ``OPORA_MAP_TILES``) and as
    a list, which is the page without JavaScript or when the tiles do not load."""
    flt, errors = filters.parse(request.GET)
    points = selectors.map_points(flt)
    located = [point for point in points if point["latitude"] is not None]
    return render(request, "navigator/map.html", {
        "filters": flt, "errors": errors, "points": points, "located": len(located),
        "programs": sum(point["programs"] for point in points),
        "catalog_query": _query(flt, page=1),
        "tiles": settings.OPORA_MAP_TILES, "attribution": settings.OPORA_MAP_ATTRIBUTION,
        "centre": _centre(located),
    })


def _centre(points) -> tuple[float, float]:
    """Where the map opens: the middle of the markers, or the region's default."""
    if not points:
        return settings.OPORA_MAP_CENTRE
    return (sum(p["latitude"] for p in points) / len(points),
            sum(p["longitude"] for p in points) / len(points))


def program(request, pk):
    try:
        found = selectors.program_detail(pk)
    except NotFound as error:
        raise Http404(error.message) from None
    entry = found.catalog_entry
    return render(request, "navigator/program.html", {
        "program": found,
        "entry": entry,
        "badges": selectors.payment_badges(entry.payment, entry.min_paid_price),
        "groups": selectors.groups_of(found, timezone.now()),
        "partners": list(found.partners.all()),
        "marks": registry_hooks.badges_of(found),
    })


def organization(request, pk):
    try:
        found = selectors.organization_detail(pk)
    except NotFound as error:
        raise Http404(error.message) from None
    flt, _errors = filters.parse(request.GET)
    flt = flt.but(organization=found.pk, sort=flt.sort or "title")
    page = catalog.search_catalog(flt, with_facets=False)
    return render(request, "navigator/organization.html", {
        "organization": found, "result": page, "cards": _cards(page.items, flt.near), **_pager(page),
        "filters": flt,
    })


def directions(request):
    page = catalog.search_catalog(filters.Filters(page_size=1))
    counts = {c.value: c.count for c in page.facets["direction"]}
    return render(request, "navigator/directions.html", {
        "directions": [(d, selectors.DIRECTION_TEXTS[d], counts.get(d.value, 0)) for d in Direction],
    })


def direction(request, code):
    try:
        found = selectors.direction_of(code)
    except NotFound as error:
        raise Http404(error.message) from None
    flt, _errors = filters.parse(request.GET)
    flt = flt.but(direction=codes.bit_of(codes.DIRECTIONS, found.value))
    page = catalog.search_catalog(flt)
    specialisations = [c for c in page.facets["specialisation"] if c.count]
    return render(request, "navigator/direction.html", {
        "direction": found, "text": selectors.DIRECTION_TEXTS[found], "result": page,
        "cards": _cards(page.items, flt.near), **_pager(page), "filters": flt,
        "specialisations": specialisations, "catalog_query": _query(flt, page=1),
    })


def _site(request):
    return request.build_absolute_uri("/")[:-1]


def opendata_index(request):
    return render(request, "navigator/opendata.html", {"columns": opendata.column_types()})


def opendata_csv(request):
    return csv_response(opendata.csv_lines(_site(request)), "programs.csv")


def opendata_json(request):
    response = StreamingHttpResponse(opendata.json_chunks(_site(request)),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="programs.json"'
    return response
