"""The one csv writer of the project (``opora.core.exporters.csv_stream``), for people: a BOM, ``;``
between cells, CRLF, and text that a spreadsheet would run as a formula written as text."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from opora.core.exporters import Audience, Kind, OpenDataDialect, csv_response, csv_stream, restore_neutralised


def _read(chunks):
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_a_bom_then_semicolon_separated_crlf_lines():
    text = "".join(csv_stream(["Название", "Цена"], [["Шахматы; для всех", Decimal("1500.50")],
                                                       ['Кружок «Ключ» "1"', None]]))

    assert text == ('\ufeffНазвание;Цена\r\n"Шахматы; для всех";1500,50\r\n'
                    '"Кружок «Ключ» ""1""";\r\n')


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://evil.example";"Шахматы")', '\'=HYPERLINK("http://evil.example";"Шахматы")'),
    ("+7 (900) 123-45-67", "'+7 (900) 123-45-67"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("  =1+1", "'  =1+1"),
    ("\u00a0\n@cmd", "'\u00a0\n@cmd"),
    ("Шахматы = логика", "Шахматы = логика"),
    ("", ""),
])
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value, written):
    assert _read(csv_stream(["title"], [[value]]))[1] == [written]


def test_values_read_as_in_a_russian_spreadsheet():
    row = [dt.date(2026, 9, 1), dt.datetime(2026, 9, 1, 15, 30), dt.time(9, 5), 12, 0.5, None]

    assert _read(csv_stream(list("abcdef"), [row]))[1] == [
        "01.09.2026", "01.09.2026 15:30", "09:05", "12", "0,5", ""]


def test_rows_are_written_as_they_are_pulled():
    pulled = []

    def rows():
        for n in range(3):
            pulled.append(n)
            yield [n]

    stream = csv_stream(["n"], rows())
    assert next(stream) == "\ufeffn\r\n" and pulled == []
    assert next(stream) == "0\r\n" and pulled == [0]


def test_the_response_streams_a_named_attachment():
    response = csv_response(csv_stream(["a"], [[1]]), "Программы.csv", "programs.csv")

    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"programs.csv\"; "
        "filename*=UTF-8''%D0%9F%D1%80%D0%BE%D0%B3%D1%80%D0%B0%D0%BC%D0%BC%D1%8B.csv")
    assert b"".join(response.streaming_content) == "\ufeffa\r\n1\r\n".encode()


def test_for_people_identifiers_keep_their_zeros_and_amounts_read_as_numbers():
    row = ["0000000001", "0105123456", "Д-12", Decimal("4000"), Decimal("33.33"), dt.date(2026, 10, 1), 7]
    kinds = [Kind.ID, Kind.ID, Kind.ID, Kind.MONEY, Kind.PERCENT, Kind.MONTH, Kind.COUNT]

    assert _read(csv_stream(list("abcdefg"), [row], kinds=kinds))[1] == [
        '="0000000001"', '="0105123456"', "Д-12", "4000,00", "33,33%", "01.10.2026", "7"]


def test_an_identifier_is_never_a_formula_of_our_making():
    kinds = [Kind.ID, Kind.ID]
    assert _read(csv_stream(["a", "b"], [['12"; =1+1', "=1+1"]], kinds=kinds))[1] == ['12"; =1+1', "'=1+1"]


def test_open_data_dialect_round_trips_through_the_csv_module():
    header = ["id", "title", "levels", "free", "price", "start", "phone"]
    row = [1, 'Кружок «Ключ», "1"; и всё', ["Стартовый", "Базовый|углублённый"], True, Decimal("900.00"),
           dt.date(2026, 9, 1), "+7 (900) 123-45-67"]

    text = "".join(csv_stream(header, [row], audience=Audience.OPEN_DATA))

    assert not text.startswith("\ufeff")
    assert text.split("\r\n")[0] == '"id","title","levels","free","price","start","phone"'
    parsed = list(csv.reader(io.StringIO(text, newline=""), OpenDataDialect))
    assert parsed[1] == ["1", 'Кружок «Ключ», "1"; и всё', "Стартовый|Базовый/углублённый", "true", "900.00",
                         "2026-09-01", "'+7 (900) 123-45-67"]
    assert restore_neutralised(parsed[1][6]) == "+7 (900) 123-45-67"
