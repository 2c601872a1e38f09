"""«Мониторинг»: the indicators of a municipality (its МОЦ and education authority) or of
the region with every municipality side by side (the РМЦ, with a drill-down to one) on
a reference date; their Excel file; the population of children 5–17 and the targets."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from opora.accounts import scope
from opora.accounts.decorators import section_page
from opora.core.documents import Document
from opora.core.exporters import (
    Audience,
    Column,
    Kind,
    Sheet,
    Typed,
    csv_response,
    csv_stream,
    sheets_response,
)
from opora.enrollment import budget_places
from opora.errors import DomainError, ValidationFailed
from opora.monitoring import annual, charts, opendata, presentation, services, statform_views
from opora.monitoring.indicators import years_before
from opora.monitoring.models import Indicator, IndicatorTarget, Snapshot
from opora.quality import selectors as quality_selectors
from opora.registry.choices import Direction
from opora.registry.models import Municipality, MunicipalityPopulation

app_name = "monitoring"
SERIES_MONTHS = 12


class ReferenceForm(forms.Form):
    date = forms.DateField(label=_("Дата"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    municipality = forms.ModelChoiceField(label=_("Территория"), required=False,
                                          queryset=Municipality.objects.none(),
                                          empty_label=_("Весь регион"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if scope.holds_region(user, "monitoring.view"):
            self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        else:
            del self.fields["municipality"]


def _territory(request, form) -> tuple[dt.date, Municipality | None]:
    """The date and the territory asked for: the user's municipality unless the user
    reads the region (then the one picked, or the region)."""
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("date") or timezone.localdate()
    if scope.holds_region(request.user, "monitoring.view"):
        return day, data.get("municipality")
    return day, get_object_or_404(Municipality, pk=request.user.municipality_id)


def _series(municipality: Municipality | None, day: dt.date, live: float | None):
    """Coverage over the year before ``day``: one frozen value per month (the snapshot
    nearest the month's first day, taken on or after it), then ``day`` itself."""
    start = years_before(day, 1)
    rows = (Snapshot.objects.filter(municipality=municipality, on_date__gte=start, on_date__lt=day)
            .order_by("on_date").values_list("on_date", "values__indicators__coverage__value"))
    points, seen = [], set()
    for on_date, value in rows:
        month = (on_date.year, on_date.month)
        if month in seen:
            continue
        seen.add(month)
        points.append((on_date.strftime("%d.%m.%Y"), value))
    points.append((day.strftime("%d.%m.%Y"), live))
    return points


def _context(request, day, municipality, values, snapshot):
    names = dict(Municipality.objects.values_list("pk", "name"))
    rows = presentation.indicator_rows(values)
    coverage = next(row for row in rows if row["code"] == Indicator.COVERAGE)
    tables = presentation.breakdown_tables(values, names)
    direction = next((t for t in tables if t["name"] == "direction"), None)
    municipalities = values.get("municipalities") or []
    return {
        "day": day, "municipality": municipality, "snapshot": snapshot, "values": values,
        "indicators": rows, "tables": tables, "municipalities": municipalities,
        "programs": presentation.program_rows(values), "places": presentation.place_rows(values),
        "program_forms": presentation.program_form_tables(values),
        "certificate_use": presentation.certificate_use(values),
        # the independent quality assessment, live (it keeps no snapshots)
        "quality": quality_selectors.indicator(municipality.pk if municipality else None),
        # the municipal task of the school year holding the date, live too
        "task_year": budget_places.year_label(budget_places.school_year(day)),
        "task": _task_rows(day, municipality, names),
        "is_today": day == timezone.localdate(),
        "direction_chart": charts.bars(
            [(row["label"], row["children"]) for row in direction["rows"]] if direction else [],
            label=gettext("Дети по направленностям")),
        "municipality_chart": charts.bars(
            [(row["name"], row["coverage"]) for row in municipalities],
            label=gettext("Охват по муниципалитетам, %"), suffix=" %",
            target=coverage["target"]),
        "series": (series := _series(municipality, day, coverage["value"])),
        "series_chart": charts.line(series, label=gettext("Охват во времени, %"), suffix=" %",
                                    target=coverage["target"]),
    }


def _task_rows(day, municipality, names) -> list[dict]:
    """Budget places of the municipal task against those filled, per municipality and
    direction, for the school year holding ``day``."""
    labels = dict(Direction.choices)
    rows = budget_places.task_fulfilment(budget_places.school_year(day),
                                         [municipality.pk] if municipality else None)
    return [{**row, "municipality": names.get(row["municipality_id"], ""),
             "direction_label": str(labels.get(row["direction"], row["direction"]))} for row in rows]


@section_page("monitoring.view")
def index(request):
    # the date picker shows the date the page is for, today when none is asked
    form = ReferenceForm(request.GET or None, user=request.user, initial={"date": timezone.localdate()})
    day, municipality = _territory(request, form)
    try:
        values, snapshot = services.indicators_on(request.user, day, municipality)
    except ValidationFailed as error:
        form.add_error("date", str(error))
        day = timezone.localdate()
        values, snapshot = services.indicators_on(request.user, day, municipality)
    context = _context(request, day, municipality, values, snapshot)
    context["form"] = form
    context["print"] = request.GET.get("print") == "1"
    context["can_configure"] = scope.may_open(request.user, "monitoring.configure")
    context["can_pick_territory"] = "municipality" in form.fields
    return render(request, "monitoring/index.html", context)


def _columns(*columns):
    return [Column(label, None, kind=kind) for label, kind in columns]


def _sheets(context) -> list[Sheet]:
    """Every table of the monitoring page as a sheet of the exporter base."""
    percent, count = Kind.PERCENT, Kind.COUNT

    def indicator(row, value):
        return Typed(value, percent if row["percent"] else Kind.NUMBER) if value is not None else None

    sheets = [Sheet(gettext("Показатели"), _columns(
        (gettext("Показатель"), Kind.TEXT), (gettext("Значение"), None), (gettext("Цель"), None),
        (gettext("Год назад"), None), (gettext("Числитель"), count), (gettext("Знаменатель"), count)),
        [[str(r["label"]), indicator(r, r["value"]), indicator(r, r["target"]), indicator(r, r["last_year"]),
          r["numerator"], r["denominator"]] for r in context["indicators"]])]
    if context["municipalities"]:
        sheets.append(Sheet(gettext("Муниципалитеты"), _columns(
            (gettext("Муниципалитет"), Kind.TEXT), (gettext("Детей 5–17 лет"), count), (gettext("Охвачено"), count),
            (gettext("Охват, %"), percent), (gettext("Обучаются у организаций муниципалитета"), count),
            (gettext("Охват по организациям, %"), percent), (gettext("С сертификатом"), count)),
            [[r["name"], r["population"], r["children"], r["coverage"], r["provider_children"],
              r["coverage_by_provider"], r["certificates"]] for r in context["municipalities"]]))
    for table in context["tables"]:
        sheets.append(Sheet(table["title"], _columns(
            (table["title"], Kind.TEXT), (gettext("Детей"), count), (gettext("Доля, %"), percent)),
            [[r["label"], r["children"], r["share"]] for r in table["rows"]]))
    sheets.append(Sheet(gettext("Программы"), _columns(
        (gettext("Направленность"), Kind.TEXT), (gettext("Программ"), count)),
        [[r["label"], r["programs"]] for r in context["programs"]]))
    for table in context["program_forms"]:
        sheets.append(Sheet(table["title"], _columns(
            (gettext("Значение"), Kind.TEXT), (gettext("Программ"), count)),
            [[r["label"], r["programs"]] for r in table["rows"]]))
    if context["places"]:
        sheets.append(Sheet(gettext("Места и заявки"), _columns(
            (gettext("Направленность"), Kind.TEXT), (gettext("Мест"), count), (gettext("Занято"), count),
            (gettext("Заявок ожидает"), count), (gettext("В очереди"), count)),
            [[r["label"], r["places"], r["taken"], r["applications"], r["waitlisted"]]
             for r in context["places"]]))
    if use := context["certificate_use"]:
        sheets.append(Sheet(gettext("Использование сертификатов"), _columns(
            (gettext("Договоров на дату"), Kind.TEXT), (gettext("Сертификатов"), count),
            (gettext("Доля, %"), percent)),
            [[r["label"], r["certificates"], r["share"]] for r in use["rows"]]))
        sheets.append(Sheet(gettext("Номинал и использование, ₽"), _columns(
            (gettext("Номинал"), Kind.MONEY), (gettext("Использовано"), Kind.MONEY),
            (gettext("Остаток"), Kind.MONEY), (gettext("Использовано, %"), percent)),
            [[use["nominal"], use["used"], use["balance"], use["used_share"]]]))
    if context["task"]:
        sheets.append(Sheet(gettext("Муниципальное задание"), _columns(
            (gettext("Муниципалитет"), Kind.TEXT), (gettext("Направленность"), Kind.TEXT),
            (gettext("Мест по заданию"), count), (gettext("Занято"), count), (gettext("Выполнение, %"), count)),
            [[r["municipality"], r["direction_label"], r["places"], r["filled"], r["percent"]]
             for r in context["task"]]))
    if quality := context["quality"]:
        sheets.append(Sheet(gettext("Независимая оценка качества"), _columns(
            (gettext("Показатель"), Kind.TEXT), (gettext("Программ"), count), (gettext("Доля, %"), percent)),
            [[gettext("Направлены на независимую оценку"), quality["ready"], quality["ready_share"]],
             [gettext("Прошли оценку с результатом «соответствует»"), quality["passed"],
              quality["passed_share"]]]))
    series = [[dt.datetime.strptime(shown, "%d.%m.%Y").date(), value] for shown, value in context["series"]]
    sheets.append(Sheet(gettext("Охват во времени"), _columns(
        (gettext("Дата"), Kind.DATE), (gettext("Охват, %"), percent)), series))
    return sheets


@section_page("monitoring.view")
def export(request):
    """Every table of the page as one workbook (.xlsx, or .ods), a sheet per table."""
    # the date picker shows the date the page is for, today when none is asked
    form = ReferenceForm(request.GET or None, user=request.user, initial={"date": timezone.localdate()})
    day, municipality = _territory(request, form)
    try:
        values, snapshot = services.indicators_on(request.user, day, municipality)
    except ValidationFailed:
        day = timezone.localdate()
        values, snapshot = services.indicators_on(request.user, day, municipality)
    sheets = _sheets(_context(request, day, municipality, values, snapshot))
    return sheets_response(request, sheets, f"Мониторинг {day:%d.%m.%Y}", f"monitoring-{day:%Y-%m-%d}")


# --- the annual report ----------------------------------------------------------------


class AnnualForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Год"), coerce=int)
    municipality = forms.ModelChoiceField(label=_("Территория"), required=False,
                                          queryset=Municipality.objects.none(),
                                          empty_label=_("Весь регион"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].choices = [(y, y) for y in range(today.year, annual.FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = today.year if today.month == 12 else today.year - 1
        if scope.holds_region(user, "monitoring.view"):
            self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        else:
            del self.fields["municipality"]


def _annual(request) -> dict:
    form = AnnualForm(request.GET or None, user=request.user)
    data = {}
    if form.is_bound:
        form.is_valid()  # the fields that are valid are used, the others keep their default
        data = form.cleaned_data
    year = data.get("year") or form.fields["year"].initial
    if scope.holds_region(request.user, "monitoring.view"):
        municipality = data.get("municipality")
    else:
        municipality = get_object_or_404(Municipality, pk=request.user.municipality_id)
    return {"form": form, **annual.build(request.user, year, municipality)}


@section_page("monitoring.view")
def annual_report(request):
    context = _annual(request)
    context["print"] = request.GET.get("print") == "1"
    context["query"] = request.GET.urlencode()
    return render(request, "monitoring/annual.html", context)


def _annual_name(report: dict) -> str:
    territory = report["municipality"].name if report["municipality"] else gettext("Весь регион")
    return f"Годовой отчёт {territory} {report['year']}"


@section_page("monitoring.view")
def annual_export(request):
    """The annual report as one workbook (.xlsx, or .ods), a sheet per table."""
    report = _annual(request)
    sheets = annual.tables(report)
    return sheets_response(request, sheets, _annual_name(report), f"annual-report-{report['year']}")


@section_page("monitoring.view")
def annual_document(request):
    """The annual report as a Word document to sign and send to the РМЦ."""
    report = _annual(request)
    territory = report["municipality"].name if report["municipality"] else gettext("Весь регион")
    document = Document(gettext("Отчёт о реализации регионального проекта «Успех каждого "
                                "ребенка» за %(year)s год") % {"year": report["year"]})
    document.paragraph(gettext("%(territory)s. Показатели на %(day)s.") % {
        "territory": territory, "day": report["day"].strftime("%d.%m.%Y")})
    for sheet in annual.tables(report):
        document.sheet(sheet)
    return document.response(f"{_annual_name(report)}.docx", f"annual-report-{report['year']}.docx")


# --- population and targets ---------------------------------------------------------


class PopulationForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Муниципалитет"), queryset=Municipality.objects.none())
    year = forms.IntegerField(label=_("Год"), min_value=2000, max_value=2100)
    children_5_17 = forms.IntegerField(label=_("Детей 5–17 лет"), min_value=1)


class TargetForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Муниципалитет"), required=False,
                                          queryset=Municipality.objects.none(),
                                          empty_label=_("Весь регион (по умолчанию)"))
    year = forms.IntegerField(label=_("Год"), min_value=2000, max_value=2100)
    indicator = forms.ChoiceField(label=_("Показатель"), choices=Indicator.choices)
    value = forms.DecimalField(label=_("Целевое значение"), min_value=0, max_digits=7,
                               decimal_places=2)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Файл таблицы (.xlsx или .ods)"))


def _territories(user):
    return scope.actionable(user, "monitoring.configure", Municipality.objects.order_by("name"))


def _forms(request, data=None, files=None, which=None):
    municipalities = _territories(request.user)
    year = timezone.localdate().year
    population = PopulationForm(data if which == "population" else None, prefix="population",
                                initial={"year": year})
    target = TargetForm(data if which == "target" else None, prefix="target",
                        initial={"year": year})
    population.fields["municipality"].queryset = municipalities
    target.fields["municipality"].queryset = municipalities
    if not scope.holds_region(request.user, "monitoring.configure"):
        target.fields["municipality"].required = True
        target.fields["municipality"].empty_label = None
    upload = (ImportForm(data, files, prefix="import") if which == "import"
              else ImportForm(prefix="import"))
    return {"population_form": population, "target_form": target, "import_form": upload}


@section_page("monitoring.configure")
def settings_page(request, forms_=None):
    municipalities = _territories(request.user)
    year = timezone.localdate().year
    figures = {}
    for municipality_id, row_year, children in (MunicipalityPopulation.objects
                                                .filter(municipality__in=municipalities,
                                                        year__gte=year - 2)
                                                .values_list("municipality_id", "year",
                                                             "children_5_17")):
        figures[(municipality_id, row_year)] = children
    years = [year - 2, year - 1, year]
    rows = [{"name": m.name, "figures": [figures.get((m.pk, y)) for y in years]}
            for m in municipalities]
    targets = (IndicatorTarget.objects.filter(year__gte=year - 1)
               .filter(municipality__in=municipalities)
               .select_related("municipality").order_by("-year", "municipality__name", "indicator"))
    region_targets = IndicatorTarget.objects.filter(year__gte=year - 1, municipality__isnull=True)
    return render(request, "monitoring/settings.html", {
        "rows": rows, "years": years, "targets": [*region_targets, *targets],
        "may_import": scope.holds_region(request.user, "monitoring.configure"),
        **(forms_ or _forms(request)),
    })


@section_page("monitoring.configure")
def population_export(request):
    """The population of the user's municipalities, every year, as a workbook in the very
    form the import reads (its column titles are the import's, not translated): the РМЦ
    downloads it, corrects or adds rows and loads it back."""
    rows = (MunicipalityPopulation.objects.filter(municipality__in=_territories(request.user))
            .order_by("municipality__name", "year")
            .values_list("municipality__oktmo", "municipality__name", "year", "children_5_17"))
    columns = [Column(title, None, kind=kind) for title, kind in (
        ("ОКТМО", Kind.ID), ("Муниципалитет", Kind.TEXT), ("Год", Kind.NUMBER),
        ("Детей 5–17 лет", Kind.COUNT))]
    sheets = [Sheet(gettext("Численность детей 5–17 лет"), columns, [list(row) for row in rows])]
    return sheets_response(request, sheets, "Численность детей 5–17 лет", "population")


@section_page("monitoring.configure")
@require_POST
def save(request, which):
    forms_ = _forms(request, request.POST, request.FILES, which)
    form = forms_.get(f"{which}_form")
    if form is None:
        return redirect("monitoring:settings")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if which == "population":
                services.save_population(request.user, data["municipality"], data["year"],
                                         data["children_5_17"])
                messages.success(request, gettext("Численность детей сохранена."))
            elif which == "target":
                services.save_target(request.user, data["municipality"], data["year"],
                                     data["indicator"], data["value"])
                messages.success(request, gettext("Целевое значение сохранено."))
            else:
                changed = services.import_population(request.user, data["file"].read())
                messages.success(request, gettext("Загружено. Изменено значений: %(n)s.")
                                 % {"n": changed})
            return redirect("monitoring:settings")
        except ValidationFailed as error:
            for messages_ in error.errors.values():
                for message in messages_:
                    form.add_error(None, message)
        except DomainError as error:
            form.add_error(None, str(error))
    return settings_page(request, forms_)


# --- open data ---------------------------------------------------------------------


def opendata_csv(request):
    data = opendata.table()
    return csv_response(csv_stream(opendata.CSV_HEADER, opendata.csv_rows(data), audience=Audience.OPEN_DATA),
                        "coverage.csv")


def opendata_json(request):
    response = HttpResponse(opendata.json_text(opendata.table()),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coverage.json"'
    return response


urlpatterns = [
    path("opendata/coverage.csv", opendata_csv, name="opendata_csv"),
    path("opendata/coverage.json", opendata_json, name="opendata_json"),
    path("office/monitoring/", index, name="index"),
    path("office/monitoring/export/", export, name="export"),
    path("office/monitoring/settings/", settings_page, name="settings"),
    path("office/monitoring/population/export/", population_export, name="population_export"),
    path("office/monitoring/settings/<slug:which>/", save, name="save"),
    path("office/monitoring/annual/", annual_report, name="annual"),
    path("office/monitoring/annual/export/", annual_export, name="annual_export"),
    path("office/monitoring/annual/document/", annual_document, name="annual_document"),
    path("office/monitoring/1-dop/", statform_views.page, name="statform"),
    path("office/monitoring/1-dop/export/", statform_views.export, name="statform_export"),
    path("office/monitoring/1-dop/layout/", statform_views.layout, name="statform_layout"),
]
