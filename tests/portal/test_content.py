"""What a page may hold and show: sanitised rich text, checked uploads, resized covers,
valid feeds and sitemap, the materials library's search."""

import io
import xml.etree.ElementTree as ET

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images.forms import get_image_form
from wagtail.images.models import Image
from wagtail.models import Collection

from opora.portal import forms, services
from opora.portal.models import Attachment, Audience, DocumentPage, MaterialKind, MaterialPage, NewsPage
from tests.portal.conftest import document, image, news, png

pytestmark = pytest.mark.django_db

HOSTILE = ('<p>Запись открыта</p><script>alert(1)</script><img src="x" onerror="alert(2)">'
           '<a href="javascript:alert(3)">ссылка</a><p onclick="alert(4)">Текст</p>')


def test_a_script_or_an_onerror_in_a_body_never_reaches_a_page(operator, city_page, client):
    item = news(operator, city_page, body=HOSTILE)

    item.refresh_from_db()
    assert "<script" not in item.body and "onerror" not in item.body and "javascript:" not in item.body
    html = client.get(item.url).content.decode()
    body = html.split('class="portal-body"')[1].split("</div>")[0]
    assert "Запись открыта" in body and "Текст" in body
    for hostile in ("<script", "alert(", "onerror", "onclick", "javascript:"):
        assert hostile not in body


def test_a_body_stored_behind_the_services_back_is_still_cleaned_when_shown(operator, city_page, client):
    item = news(operator, city_page)
    NewsPage.objects.filter(pk=item.pk).update(body=HOSTILE)

    html = client.get(item.url).content.decode()

    assert "alert(" not in html.split('class="portal-body"')[1].split("</div>")[0]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("virus.exe", b"MZ\x90\x00", "только PDF, DOCX или XLSX"),
    ("fake.pdf", b"<html>not a pdf</html>", "не является PDF"),
    ("table.xlsx", b"%PDF-1.4", "не является XLSX"),
])
def test_documents_of_other_kinds_are_refused(name, content, message):
    with pytest.raises(forms.forms.ValidationError, match=message):
        forms.check_document(SimpleUploadedFile(name, content))


def test_a_document_over_the_limit_is_refused(settings):
    settings.OPORA_PORTAL_DOCUMENT_MAX_MB = 1
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))

    with pytest.raises(forms.forms.ValidationError, match="больше 1 МБ"):
        forms.check_document(big)


def test_pdf_docx_and_xlsx_within_the_limit_are_accepted():
    for name, head in (("a.pdf", b"%PDF-1.7"), ("b.docx", b"PK\x03\x04"), ("c.xlsx", b"PK\x03\x04")):
        forms.check_document(SimpleUploadedFile(name, head + b"rest"))


def test_the_cms_upload_refuses_a_disguised_file(client, operator, city_page):
    client.force_login(operator)
    client.get("/cms/")

    response = client.post("/cms/documents/multiple/add/", {
        "files[]": SimpleUploadedFile("приказ.pdf", b"GIF89a not a pdf")},
        headers={"x-requested-with": "XMLHttpRequest"})

    assert "не является PDF" in response.json()["error_message"]
    from wagtail.documents.models import Document
    assert Document.objects.count() == 0


def test_a_wide_cover_is_resized_on_upload(settings, portal):
    settings.OPORA_PORTAL_IMAGE_MAX_WIDTH = 800
    form = get_image_form(Image)(data={"title": "Обложка", "collection": Collection.get_first_root_node().pk},
                                 user=None,
                                 files={"file": SimpleUploadedFile("wide.png", png(2400, 1200), "image/png")})

    assert form.is_valid(), form.errors
    saved = form.save()

    assert (saved.width, saved.height) == (800, 400)


def test_an_image_over_the_size_limit_is_refused(settings, portal):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    form = get_image_form(Image)(data={"title": "Фото"}, user=None,
                                 files={"file": SimpleUploadedFile("big.png", png(400, 400) + b"0" * 2000)})

    assert not form.is_valid()
    assert "file" in form.errors


def test_attachments_show_their_kind_and_size(operator, city_page, client):
    item = news(operator, city_page, attachments=[Attachment(document=document(
        "Положение о конкурсе", "polozhenie.pdf", b"%PDF-1.4\n" + b"1" * 2048))])

    html = client.get(item.url).content.decode()

    assert "Положение о конкурсе" in html and "PDF · 2,0" in html


def _xml(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_feeds_of_a_municipality_and_of_the_region_are_valid(operator, other_operator, city_page,
                                                             district_page, portal, client):
    news(operator, city_page, title="Новость города", cover=image())
    news(other_operator, district_page, title="Новость района")

    rss = _xml(client.get(city_page.url + "feed/rss/"))
    atom = _xml(client.get(city_page.url + "feed/atom/"))
    region = _xml(client.get(portal.url + "feed/rss/"))

    assert rss.tag == "rss" and [i.findtext("title") for i in rss.iter("item")] == ["Новость города"]
    assert all(i.findtext("link").startswith("http://testserver/portal/") for i in rss.iter("item"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.findtext("a:title", namespaces=ns) for e in atom.findall("a:entry", ns)] == ["Новость города"]
    assert sorted(i.findtext("title") for i in region.iter("item")) == ["Новость города", "Новость района"]


def test_the_sitemap_lists_portal_and_navigator_pages(operator, city_page, provider, client):
    from opora.navigator import index
    from opora.registry.models import ProgramStatus
    from tests import factories

    published = factories.program(provider, status=ProgramStatus.PUBLISHED)
    hidden = factories.program(provider)
    index.rebuild()
    item = news(operator, city_page)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

    sections = [loc.text for loc in _xml(client.get("/sitemap.xml")).findall("s:sitemap/s:loc", ns)]
    urls = []
    for section in sections:
        urls += [loc.text for loc in _xml(client.get(section.replace("http://testserver", ""))).findall(
            "s:url/s:loc", ns)]

    assert f"http://testserver{item.url}" in urls
    assert f"http://testserver{city_page.url}" in urls
    assert f"http://testserver/programs/{published.pk}/" in urls
    assert f"http://testserver/programs/{hidden.pk}/" not in urls
    assert f"http://testserver/organizations/{provider.pk}/" in urls
    assert "http://testserver/" in urls


def test_pages_carry_title_description_and_open_graph(operator, city_page, client):
    item = news(operator, city_page, title="Летняя школа вожатых", lead="Набор до 1 мая.", cover=image())

    html = client.get(item.url).content.decode()

    assert "<title>Летняя школа вожатых · " in html
    assert '<meta name="description" content="Набор до 1 мая.">' in html
    assert '<meta property="og:title" content="Летняя школа вожатых' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/media/images/' in html


def _docx(text) -> bytes:
    buffer = io.BytesIO()
    document_ = docx.Document()
    document_.add_paragraph(text)
    document_.save(buffer)
    return buffer.getvalue()


def test_materials_are_found_by_the_stems_of_their_files_and_filtered(operator, city_page, client):
    services.add_content(operator, city_page, MaterialPage(
        title="Шаблон программы", lead="Для педагогов", kind=MaterialKind.PROGRAM_TEMPLATE,
        direction="technical", for_teachers=True, attachments=[Attachment(document=document(
            "Шаблон", "shablon.docx", _docx("Программа по робототехнике для младших школьников")))]))
    services.add_content(operator, city_page, MaterialPage(
        title="Памятка о сертификате", lead="Как получить сертификат", kind=MaterialKind.RECOMMENDATIONS,
        for_parents=True))
    url = city_page.url + "materials/"

    def found(**query):
        html = client.get(url, query).content.decode()
        return sorted(t for t in ("Шаблон программы", "Памятка о сертификате") if f">{t}</a>" in html)

    assert found() == ["Памятка о сертификате", "Шаблон программы"]
    assert found(q="робототехники") == ["Шаблон программы"]  # a word of the attached DOCX, another form
    assert found(q="роботатехника") == ["Шаблон программы"]  # a misprint
    assert found(q="сертификаты") == ["Памятка о сертификате"]
    assert found(audience=Audience.PARENTS) == ["Памятка о сертификате"]
    assert found(kind=MaterialKind.PROGRAM_TEMPLATE, direction="technical") == ["Шаблон программы"]
    assert found(q="балет") == []


def test_documents_are_split_into_the_centres_own_and_normative(operator, city_page, client):
    services.add_content(operator, city_page, DocumentPage(title="Положение о МОЦ", kind="regulation",
                                                           number="15-о"))
    services.add_content(operator, city_page, DocumentPage(title="Концепция развития ДО до 2030 года",
                                                           kind="normative"))

    html = client.get(city_page.url + "documents/").content.decode()

    own, normative = html.split("Документы центра")[1].split("Нормативные документы")
    assert "Положение о МОЦ" in own and "Концепция" in normative


def test_images_are_stored_in_the_centres_collection_only_by_its_editor(operator, city_page, client):
    client.force_login(operator)
    client.get("/cms/")

    response = client.get("/cms/images/add/")

    assert response.status_code == 200
    assert Image.objects.count() == 0
