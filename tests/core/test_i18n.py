"""The English interface: under the ``en`` language the key pages speak English,
service refusals follow the active language, the Excel import still reads its
Russian file, and the catalog is complete and compiled."""

import ast
import datetime as dt
import gettext
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from opora.errors import InvalidTransition, ValidationFailed
from opora.registry import services
from opora.registry.choices import ProgramStatus as S
from opora.registry.excel_template import build_template
from tests import factories as f

CYRILLIC = re.compile("[А-Яа-яЁё]")
CATALOG = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


class _Texts(HTMLParser):
    """Collects the text of the elements ``wanted(tag, attrs)`` picks, nested text included.
    An element below ``<html>`` that names its own ``lang`` (the language switch) is left
    out: it is in that language on purpose."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self, wanted):
        super().__init__()
        self.wanted = wanted
        self.open: list[list] = []  # [tag, parts, skipped]
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        skipped = (tag != "html" and "lang" in attrs) or any(entry[2] for entry in self.open)
        self.open.append([tag, [], skipped, self.wanted(tag, attrs)])

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                opened, parts, skipped, wanted = self.open.pop(index)
                if wanted and not skipped:
                    self.found.append((opened, " ".join(" ".join(parts).split())))
                break

    def handle_data(self, data):
        for entry in self.open:
            entry[1].append(data)


def texts(response, wanted) -> list[str]:
    parser = _Texts(wanted)
    parser.feed(response.content.decode())
    return [text for _tag, text in parser.found]


def interface(tag, attrs):
    """Headings, labels, legends, buttons, column headers and the office menu: text the
    interface itself writes, never the names and titles stored in the database."""
    return (tag in {"title", "h1", "h2", "legend", "label", "caption", "summary", "button"}
            or (tag == "th" and attrs.get("scope") == "col")
            or "badge" in (attrs.get("class") or "").split()
            or (tag == "a" and "aria-current" in attrs))


def _russian(values):
    return [value for value in values if CYRILLIC.search(value)]


@pytest.fixture(autouse=True)
def _language_restored():
    # LocaleMiddleware leaves the request's language active in the thread; later
    # tests must not inherit English.
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "heading", "labels"), [
    (None, "Вход", ["E-mail", "Пароль"]),
    ("en", "Sign in", ["E-mail", "Password"]),
])
def test_login_page_follows_the_chosen_language(client, db, language, heading, labels):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(reverse("accounts:login"))

    assert response["Content-Language"] == (language or "ru")
    assert texts(response, lambda tag, attrs: tag == "h1") == [heading]
    assert texts(response, lambda tag, attrs: tag == "label") == labels


def test_login_page_in_english_has_no_russian_interface_text(english, db):
    response = english.get(reverse("accounts:login"))

    found = texts(response, interface)
    assert found[0] == "Sign in · Opora — supplementary education for children"
    assert "Version for the visually impaired" in found
    assert _russian(found) == []


def test_program_registry_in_english(english, operator, program):
    english.force_login(operator)

    response = english.get(reverse("registry:programs"))

    assert texts(response, lambda tag, attrs: tag == "h1") == ["Program registry"]
    assert texts(response, lambda tag, attrs: tag == "nav" and attrs.get("aria-label") == "Account sections"
                 ) == ["Menu · Program registry Programs and organizations Program registry Moderation Inventory "
                       "Organization registry Import from Excel Search dictionary Quality Quality assessment "
                       "Parents' reviews Parents' rating rules Best-practice bank Children and applications "
                       "Children Possible duplicates Guardian confirmation Events and gifted children "
                       "Events Event moderation Involvement Gifted children Certificates and settlement "
                       "Certificates Certification Contracts Contract renewals Settlements Municipal agreements "
                       "Personified financing reports "
                       "Financing periods Municipal task "
                       "Monitoring and plans Monitoring Form 1-DOP Plans My plan Data requests "
                       "Staff Events for teachers Professional development Professional development plan "
                       "Hotline and mailings Hotline Hotline report Hotline settings Mailings "
                       "Portal Portal: publishing"]
    assert texts(response, lambda tag, attrs: tag == "th" and attrs.get("scope") == "col") == [
        "Title", "Organization", "Direction", "Level", "Form", "Age", "Status", "Groups", "Updated"]
    assert "1 program found" in response.content.decode()
    found = texts(response, interface)
    assert "Draft" in found
    assert _russian(found) == []


def test_staff_program_form_in_english(english, staff):
    english.force_login(staff)

    response = english.get(reverse("registry:program_create"))

    assert texts(response, lambda tag, attrs: tag == "h1") == ["New program"]
    assert texts(response, lambda tag, attrs: tag == "h2") == [
        "Main details", "Who it is for", "Format", "Content", "Facilities"]
    labels = texts(response, lambda tag, attrs: tag == "label")
    assert labels[:4] == ["Name:", "Direction:", "Specialisation:", "Program type:"]
    assert {"Starting (introductory)", "Deaf", "Volume, academic hours:"} <= set(labels)
    assert "Full-time" in texts(response, lambda tag, attrs: tag == "option")
    assert texts(response, lambda tag, attrs: tag == "button" and attrs.get("type") == "submit"
                 )[-1] == "Create the program"
    assert _russian(texts(response, interface)) == []


def test_moderation_queue_in_english(english, operator, staff, program):
    services.submit_program(staff, program)
    english.force_login(operator)

    response = english.get(reverse("registry:moderation"))

    assert texts(response, lambda tag, attrs: tag == "h1") == ["Program moderation"]
    assert texts(response, lambda tag, attrs: tag == "th" and attrs.get("scope") == "col") == [
        "Submitted", "Title", "Organization", "Municipality", "Direction"]
    assert texts(response, lambda tag, attrs: tag == "a" and "aria-current" in attrs) == ["Moderation"]
    page = response.content.decode()
    assert "1 program in moderation." in page
    assert "<td>Technical</td>" in page
    assert _russian(texts(response, interface)) == []


def test_api_refusal_speaks_the_language_of_the_request(english, operator):
    english.force_login(operator)

    response = english.get("/api/v1/office/programs/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "Program not found.", "field": "program_id", "code": "NotFound"}


# --- services ----------------------------------------------------------------------


def test_service_refusal_is_english_under_english_and_russian_by_default(operator, program):
    with translation.override("en"), pytest.raises(InvalidTransition) as english_error:
        services.publish_program(operator, program)
    with pytest.raises(InvalidTransition) as russian_error:
        services.publish_program(operator, program)

    assert english_error.value.message == "This action is not available for a program with the status “Draft”."
    assert russian_error.value.message == "Действие недоступно для программы в статусе «Черновик»."
    program.refresh_from_db()
    assert program.status == S.INITIAL


def test_model_rule_with_values_is_translated_with_them(staff, program):
    module = program.modules.get()
    data = {"name": "A", "start_date": dt.date(2026, 9, 1), "end_date": dt.date(2027, 5, 31), "hours_per_year": 72,
            "capacity_min": 1, "capacity_max": 10, "age_min": program.age_min - 1,
            "age_max": program.age_max}
    funding = [{"source": "budget", "monthly_price": 0, "total_price": 0}]

    with translation.override("en"), pytest.raises(ValidationFailed) as error:
        services.save_group(staff, module, data, schedule=[], funding=funding)

    assert error.value.errors["age_min"] == [
        f"The group's age must be within the program's age range ({program.age_min}–{program.age_max} years)."]
    assert module.groups.count() == 0


def test_excel_import_reads_the_russian_template_while_the_page_is_english(provider, staff):
    f.teacher(provider)
    with translation.override("en"):
        upload = SimpleUploadedFile("template.xlsx", build_template(provider))
        result = services.import_programs(staff, provider, upload)

    assert (result.errors, result.programs_created, result.groups_created) == ([], 1, 1)
    assert result.programs[0].title == "Робототехника для начинающих (пример)"


# --- the catalog ---------------------------------------------------------------------


def _entries(text: str) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr[n], and flags."""
    entries, entry, key = [], None, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry = None
            continue
        entry = entry or {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif match := re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")', line):
            name, index, value = match[1], match[2], ast.literal_eval(match[3])
            key = ("msgstr", int(index or 0)) if name.startswith("msgstr") else name
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] = value
            else:
                entry[key] = value
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += value
            else:
                entry[key] += value
    return entries


def test_english_catalog_has_every_entry_translated_and_none_fuzzy():
    header, *entries = _entries((CATALOG / "django.po").read_text(encoding="utf-8"))

    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]
    assert len(entries) > 500
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"] or e.get("obsolete")] == []
    untranslated = [e["msgid"] for e in entries
                    if not all(e["msgstr"].get(n) for n in ((0, 1) if "msgid_plural" in e else (0,)))]
    assert untranslated == []
    copied = [e["msgid"] for e in entries if CYRILLIC.search(e["msgid"]) and e["msgstr"][0] == e["msgid"]]
    assert copied == []


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as stream:
        return dict(gettext.GNUTranslations(stream)._catalog)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_compiled_catalog_matches_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"

    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(CATALOG / "django.po")], check=True)

    assert _catalog(CATALOG / "django.mo") == _catalog(fresh)
