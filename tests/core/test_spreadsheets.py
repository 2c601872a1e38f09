"""The exporter base (``opora.core.exporters`` and ``opora.core.ods``): one description of
a sheet written as .xlsx and .ods with the same values, types, formats and setup."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from opora.core import ods
from opora.core.exporters import Column, Kind, Sheet, Typed, csv_stream, fitted_widths, write_xlsx
from tests.spreadsheets import (
    COUNT,
    DATE,
    DATETIME,
    MONEY,
    MONTH,
    PERCENT,
    TEXT_ID,
    header_row,
    ods_book,
    ods_cells,
    xlsx_book,
    xlsx_formats,
)

COLUMNS = [
    Column("Номер сертификата", None, kind=Kind.ID), Column("К оплате, ₽", None, kind=Kind.MONEY),
    Column("Полнота, %", None, kind=Kind.PERCENT), Column("Договоров", None, kind=Kind.COUNT),
    Column("Месяц", None, kind=Kind.MONTH), Column("Дата", None, kind=Kind.DATE),
    Column("Изменено", None, kind=Kind.DATETIME), Column("Значение", None),
    Column("Очень длинный заголовок столбца в несколько строк", None, width=12),
]
ROW = ["0000000001", Decimal("4000"), Decimal("33.33"), 12, dt.date(2026, 10, 17), dt.date(2026, 9, 1),
       dt.datetime(2026, 9, 1, 15, 30), Typed(Decimal("95.5"), Kind.PERCENT), "=HYPERLINK(\"x\")"]


def _sheet(rows=(ROW,)):
    return Sheet("Проба: [лист]", COLUMNS, list(rows), caption="Заголовок", heading=[("Месяц", "10.2026")],
                 totals=[("Итого, ₽", {1: Decimal("4000")})])


def _xlsx(sheets):
    stream = io.BytesIO()
    write_xlsx(sheets, stream)
    return stream.getvalue()


def _ods(sheets):
    stream = io.BytesIO()
    ods.write_ods(sheets, stream)
    return stream.getvalue()


def test_xlsx_cells_are_typed_and_formatted_by_their_column():
    sheet = xlsx_book(_xlsx([_sheet()])).active

    assert sheet.title == "Проба   лист"  # characters a sheet name cannot hold are replaced
    assert header_row(sheet) == 3 and sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:I4"
    assert xlsx_formats(sheet) == {
        "Номер сертификата": TEXT_ID, "К оплате, ₽": MONEY, "Полнота, %": PERCENT, "Договоров": COUNT,
        "Месяц": MONTH, "Дата": DATE, "Изменено": DATETIME, "Значение": PERCENT,
        "Очень длинный заголовок столбца в несколько строк": "General"}
    values = [cell.value for cell in sheet[4]]
    assert values == ["0000000001", 4000, 0.3333, 12, dt.datetime(2026, 10, 1), dt.datetime(2026, 9, 1),
                      dt.datetime(2026, 9, 1, 15, 30), 0.955, '=HYPERLINK("x")']
    assert sheet["I4"].data_type == "s"  # text, never a formula
    assert sheet.row_dimensions[3].height >= 15 * 4  # the long header wraps to four lines of 12
    assert (sheet["B6"].value, sheet["A6"].value) == (4000, "Итого, ₽")


def test_ods_holds_the_same_values_types_and_formats():
    document = ods_book(_ods([_sheet()]))
    [title] = ods.sheets_of(document)
    rows = ods_cells(document, title)

    assert [cell["value"] for cell in rows[3]] == [
        "0000000001", 4000, 0.3333, 12, dt.datetime(2026, 10, 1), dt.datetime(2026, 9, 1),
        dt.datetime(2026, 9, 1, 15, 30), 0.955, '=HYPERLINK("x")']
    assert [cell["format"] for cell in rows[3]] == [
        "N_id", "N_money", "N_percent", "N_count", "N_month", "N_date", "N_datetime", "N_percent", None]
    assert rows[3][2]["type"] == "percentage" and rows[3][8]["type"] == "string"
    assert (rows[5][0]["value"], rows[5][1]["value"]) == ("Итого, ₽", 4000)


def test_xlsx_and_ods_read_back_as_the_same_table():
    import openpyxl

    from_xlsx = [tuple(row) for row in openpyxl.load_workbook(io.BytesIO(_xlsx([_sheet()])), read_only=True,
                                                              data_only=True).active.iter_rows(values_only=True)]
    workbook = ods.load_workbook(io.BytesIO(_ods([_sheet()])))
    from_ods = list(workbook.worksheets[0].iter_rows(max_row=20, max_col=20))

    def same(row):
        return tuple(float(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v
                     for v in row if v is not None)

    assert [same(row) for row in from_ods] == [same(row) for row in from_xlsx]


def test_wide_tables_print_across_and_narrow_ones_upright():
    wide = Sheet("Широкая", [Column(f"Столбец {n}", None, kind=Kind.TEXT) for n in range(12)], [["x" * 20] * 12])
    narrow = Sheet("Узкая", [Column("Название", None)], [["Шахматы"]])
    book = xlsx_book(_xlsx([wide, narrow]))

    assert [sheet.page_setup.orientation for sheet in book.worksheets] == ["landscape", "portrait"]
    document = ods_book(_ods([wide, narrow]))
    assert [table.get_attribute("table:style-name") for table in document.body.get_tables()] == [
        "ta_landscape", "ta_portrait"]


def test_widths_fit_the_content_within_the_cap():
    columns = [Column("Название", None), Column("Описание программы", None, width=20), Column("N", None)]
    widths = fitted_widths(columns, [["Шахматы", "очень " * 30, 5]])
    assert widths == [10.0, 20.0, 6.0]


@pytest.mark.parametrize("rows", [0, 3000])
def test_large_tables_stream_and_keep_their_setup(rows):
    data = ([str(n).zfill(10), Decimal(n) / 4] for n in range(rows))
    columns = [Column("Номер", None, kind=Kind.ID), Column("Сумма", None, kind=Kind.MONEY)]
    document = ods_book(_ods([Sheet("Много", columns, data)]))
    assert len(ods_cells(document, "Много")) == rows + 1


def test_csv_of_a_typed_cell_follows_the_cell():
    text = "".join(csv_stream(["a"], [[Typed(Decimal("12.5"), Kind.PERCENT)]]))
    assert text.endswith("12,5%\r\n")
