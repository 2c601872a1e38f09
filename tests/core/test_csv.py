"""The one csv writer of the project (``opora.core.exporters.csv_stream``): a BOM, ``;``
between cells, CRLF, and text that a spreadsheet would run as a formula written as text."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from opora.core.exporters import csv_response, csv_stream


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
