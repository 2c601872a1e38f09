"""Import of a plan's table as the documents print it: pasted text and .xlsx."""

import io

import docx
import pytest
from openpyxl import Workbook

from opora.errors import ValidationFailed
from opora.plans import importing, services
from opora.plans.models import Item, Recurrence
from tests.plans.conftest import CREATION_PLAN, day


def _preview(plan, text):
    return services.preview_import(plan, importing.read_text(text))


def test_the_appendix_of_the_creation_plan_pasted_as_the_file_holds_it(operator, plan):
    preview = _preview(plan, CREATION_PLAN)

    assert preview.ok and preview.errors == []
    assert [row.number for row in preview.rows] == [str(n) for n in range(1, 11)]
    first, seventh, eighth, ninth, tenth = (preview.rows[i] for i in (0, 6, 7, 8, 9))
    assert first.title.startswith("Определение объекта для создания (размещения)")
    assert (first.deadline.starts_on, first.deadline.ends_on) == (day(2), day(3, 31))
    assert first.responsible == ["Начальник Управления образования Гречаная Н.М."]
    assert (seventh.deadline.starts_on, seventh.deadline.ends_on) == (day(3), day(3, 31))
    assert eighth.deadline.recurrence == "yearly" and ninth.deadline.recurrence == "monthly"
    # item 10 comes after the repeated header, with HTML list markup in its title
    assert tenth.title.splitlines() == [
        "Создание и поддержка в актуальном состоянии раздела информационного портала МОЦ, "
        "включающего следующие блоки:",
        "1. Методический - для педагогов, руководителей образовательных организаций, родителей "
        "(законных представителей) детей.",
        "2. Дистанционные программы и программы, реализуемые в сетевой форме - для детей, родителей.",
        "3. Результаты независимой оценки качества организаций, реализующих дополнительные "
        "общеобразовательные программы на территории муниципалитета.",
        "4. Информация о мероприятиях, конкурсах и т.д.",
    ]
    assert tenth.deadline.recurrence == "continuous"
    assert tenth.responsible == ["Директор МБУ ДПО «УМЦРО» Виноградова Е.В."]
    assert not preview.has_result


def test_confirmed_rows_become_items(operator, plan):
    items = services.import_rows(operator, plan, _preview(plan, CREATION_PLAN).rows)

    assert len(items) == 10 == plan.items.count()
    item = plan.items.get(number="9")
    assert item.recurrence == Recurrence.MONTHLY and item.ends_on == day(12, 31)
    assert item.responsible_list == ["Заместитель начальника Управления образования Сухорукова И.В."]


def test_nothing_is_saved_before_confirmation(plan):
    _preview(plan, CREATION_PLAN)

    assert not Item.objects.exists()


TABLE = (
    "Ответственный специалист МОЦ\tСроки\tРезультат\tМероприятия\t№\n"
    "Иванова А.А. Петрова Б.Б.\tдо 15 марта\tРеестр программ\tСбор сведений\t1\n"
    "Методист\tежеквартально\tАналитическая справка\tМониторинг\t2.\n"
)


def test_columns_in_any_order_with_the_result_column_and_two_people_in_a_cell(plan):
    preview = _preview(plan, TABLE)

    assert preview.ok and preview.has_result
    first, second = preview.rows
    assert (first.number, first.title, first.expected_result) == ("1", "Сбор сведений", "Реестр программ")
    assert first.responsible == ["Иванова А.А.", "Петрова Б.Б."]
    assert first.deadline.ends_on == day(3, 15)
    assert (second.number, second.deadline.recurrence) == ("2", "quarterly")


def test_multi_line_cells_of_word_and_of_excel_are_joined(plan):
    word = ("№ п/п\tНаименование мероприятия\tСроки\tОтветственный\n"
            "1.\tПервая строка названия\n"
            "вторая строка названия\tмарт\tИванова А.А.\n"
            "2.\tВторое\tапрель\tПетров\n"
            "Сидорова В.В.\n")
    excel = ('№ п/п\tНаименование мероприятия\tСроки\tОтветственный\n'
             '1\t"Первая строка\nвторая строка"\tмарт\tИванова А.А.\n')

    rows = _preview(plan, word).rows
    assert [row.title for row in rows] == ["Первая строка названия\nвторая строка названия", "Второе"]
    assert rows[0].responsible == ["Иванова А.А."]
    # a line of one cell after a complete row is a section heading, not a continuation
    assert _preview(plan, excel).rows[0].title == "Первая строка\nвторая строка"


def test_section_headings_group_the_items_below_them(operator, plan):
    text = ("№ п/п\tНаименование мероприятия\tСроки\tОтветственный\n"
            "Организационная работа\n"
            "1.\tСовещание\tмарт\tИванова А.А.\n"
            "Методическая работа\n"
            "2.\tСеминар\tапрель\tПетрова Б.Б.\n")
    preview = _preview(plan, text)

    assert [row.section for row in preview.rows] == ["Организационная работа", "Методическая работа"]
    services.import_rows(operator, plan, preview.rows)
    assert [item.section.title for item in plan.items.all()] == [
        "Организационная работа", "Методическая работа"]


def test_an_unknown_deadline_is_a_warning_and_is_saved_flagged(operator, plan):
    text = "№\tМероприятия\tСроки\tОтветственный\n1\tСовещание\tкогда получится\tИванова А.А.\n"
    preview = _preview(plan, text)

    assert preview.ok
    assert preview.rows[0].warnings == [
        "Срок «когда получится» не распознан: укажите начало и окончание вручную."]
    services.import_rows(operator, plan, preview.rows)
    assert plan.items.get().deadline_unknown


def test_the_operator_fixes_a_deadline_in_the_preview(operator, plan):
    text = "№\tМероприятия\tСроки\tОтветственный\n1\tСовещание\tкогда получится\tИванова А.А.\n"
    rows = _preview(plan, text).rows
    rows[0].deadline_text = "Сентябрь-декабрь"

    services.import_rows(operator, plan, rows)

    item = plan.items.get()
    assert (item.starts_on, item.ends_on, item.deadline_unknown) == (day(9), day(12, 31), False)


@pytest.mark.parametrize(("text", "problem"), [
    ("№\tМероприятия\tСроки\tОтветственный\nабв\tСовещание\tмарт\tИванова А.А.\n",
     "«абв» не похоже на номер пункта."),
    ("№\tМероприятия\tСроки\tОтветственный\n1\t\tмарт\tИванова А.А.\n",
     "Не указано наименование мероприятия."),
    ("№\tМероприятия\tСроки\tОтветственный\n1\tА\tмарт\tИванова А.А.\n1.\tБ\tмарт\tИванова А.А.\n",
     "Пункт № 1 уже есть."),
    ("№\tМероприятия\tСроки\tОтветственный\n1\tА\tмарт\tИванова А.А.\tлишнее\n",
     "В строке больше столбцов, чем в заголовке: «лишнее»."),
    ("№\tМероприятия\tСроки\tОтветственный\n\tА\tмарт\tИванова А.А.\n", "Не указан номер пункта."),
])
def test_a_broken_row_is_reported_and_nothing_is_saved(operator, plan, text, problem):
    preview = _preview(plan, text)

    assert not preview.ok
    assert problem in [error for row in preview.rows for error in row.errors]
    with pytest.raises(ValidationFailed, match="Ничего не сохранено"):
        services.import_rows(operator, plan, preview.rows)
    assert not Item.objects.exists()


@pytest.mark.parametrize(("text", "problem"), [
    ("просто текст\nбез таблицы\n", "Не найдена строка заголовка таблицы"),
    ("Наименование мероприятия\tСроки\n1\tА\n", "В заголовке нет столбцов: «№ п/п», «Ответственный»."),
    ("№\tМероприятия\tСроки\tОтветственный\n", "В таблице нет ни одного мероприятия."),
])
def test_a_table_without_a_header_or_rows_is_refused(plan, text, problem):
    preview = _preview(plan, text)

    assert not preview.ok and problem in preview.errors[0]


def test_numbers_already_in_the_plan_are_refused(operator, plan):
    services.import_rows(operator, plan, _preview(plan, CREATION_PLAN).rows)

    preview = _preview(plan, "№\tМероприятия\tСроки\tОтветственный\n3\tЕщё\tмай\tИванова А.А.\n")

    assert preview.rows[0].errors == ["Пункт № 3 уже есть."]


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_an_xlsx_table_split_across_pages(operator, plan):
    header = ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственный", "Результат"]
    workbook = _xlsx([["План работы МОЦ"], header, [1, "Совещание", "Февраль - март", "Иванова А.А.",
                                                      "Протокол"],
                      header, [2.0, "Семинар\nдля педагогов", "ежемесячно", "Петрова Б.Б.", None]])

    preview = services.preview_import(plan, importing.read_xlsx(workbook))

    assert preview.ok
    assert [(row.number, row.title, row.expected_result) for row in preview.rows] == [
        ("1", "Совещание", "Протокол"), ("2", "Семинар\nдля педагогов", "")]
    assert [row.line for row in preview.rows] == [3, 5]


def _docx(*tables) -> io.BytesIO:
    """A Word document with a title paragraph and ``tables`` (lists of rows); a row of one
    cell is merged across the table's width, as a section heading is in Word."""
    document = docx.Document()
    document.add_paragraph("План работы МОЦ на 2026 год")
    for rows in tables:
        width = max(len(row) for row in rows)
        table = document.add_table(rows=0, cols=width)
        for row in rows:
            cells = table.add_row().cells
            if len(row) == 1:
                cells[0].merge(cells[-1]).text = row[0]
                continue
            for cell, text in zip(cells, row, strict=False):
                cell.text = text
        document.add_page_break()
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return buffer


def test_a_word_table_split_across_pages_with_a_section_heading(operator, plan):
    header = ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственный специалист МОЦ"]
    first = [header, ["1.", "Совещание\nс руководителями", "Февраль - март", "Иванова А.А."],
             ["Раздел 2. Методическая работа"], header,
             ["2.", "Семинар для педагогов", "ежемесячно", "Петрова Б.Б."]]
    second = [header, ["3", "Отчёт", "до 15 марта", "Иванова А.А."]]  # the next page's table

    preview = services.preview_import(plan, importing.read_docx(_docx(first, second)))

    assert preview.ok
    assert [(row.number, row.title, row.section) for row in preview.rows] == [
        ("1", "Совещание\nс руководителями", ""), ("2", "Семинар для педагогов",
                                                    "Раздел 2. Методическая работа"),
        ("3", "Отчёт", "Раздел 2. Методическая работа")]
    assert not any(row.deadline.unknown for row in preview.rows)
    assert preview.rows[2].deadline.ends_on.month == 3  # «до 15 марта»


def test_a_broken_row_of_a_word_table_is_reported(operator, plan):
    header = ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственный"]
    broken = [header, ["1", "Совещание", "март", "Иванова А.А."], ["два", "Семинар", "май", "Петрова Б.Б."]]

    preview = services.preview_import(plan, importing.read_docx(_docx(broken)))

    assert not preview.ok
    assert preview.rows[1].errors == ["«два» не похоже на номер пункта."]


def test_a_file_that_is_not_a_word_document_or_has_no_table_is_refused():
    with pytest.raises(ValueError, match="не читается как документ Word"):
        importing.read_docx(io.BytesIO(b"PK not a document"))
    empty = io.BytesIO()
    docx.Document().save(empty)
    empty.seek(0)
    with pytest.raises(ValueError, match="нет таблицы"):
        importing.read_docx(empty)


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(ValueError, match="не читается как таблица Excel"):
        importing.read_xlsx(io.BytesIO(b"not a workbook"))


@pytest.mark.parametrize(("cell", "people"), [
    ("Начальник Управления образования Гречаная Н.М.", ["Начальник Управления образования Гречаная Н.М."]),
    ("Иванова А.А. Петрова Б.Б.", ["Иванова А.А.", "Петрова Б.Б."]),
    ("Методист Иванова А. А., методист Петрова-Водкина Б.Б.",
     ["Методист Иванова А. А.", "методист Петрова-Водкина Б.Б."]),
    ("Методисты МОЦ", ["Методисты МОЦ"]),
    ("Иванова А.А. (по согласованию)", ["Иванова А.А. (по согласованию)"]),
    ("", []),
])
def test_responsible_people_of_a_cell(cell, people):
    assert importing.split_responsible(cell) == people


def test_responsible_people_who_are_opora_users_are_linked(operator, plan, provider):
    from opora.accounts.models import Role
    from tests import factories as f

    ivanova = f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=provider.municipality,
                     last_name="Иванова", first_name="Анна", patronymic="Алексеевна")
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=provider.municipality,
           last_name="Петрова", first_name="Белла", patronymic="Борисовна")
    f.user(Role.ORGANIZATION_STAFF, organization=provider, municipality=provider.municipality,
           last_name="Петрова", first_name="Богдана", patronymic="Богдановна")  # the same «Петрова Б.Б.»
    f.user(Role.PARENT, municipality=provider.municipality,
           last_name="Сидорова", first_name="Вера", patronymic="Викторовна")  # a parent is never linked

    services.import_rows(operator, plan, _preview(plan, TABLE + "Сидорова В.В.\tмай\t\tОтчёт\t3\n").rows)

    first, second, third = plan.items.all()
    assert list(first.responsible_users.all()) == [ivanova]
    assert not second.responsible_users.exists() and not third.responsible_users.exists()
