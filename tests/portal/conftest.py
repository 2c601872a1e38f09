import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PillowImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from opora.portal import services, tree
from opora.portal.models import MunicipalityPage, NewsPage, RegionPage


@pytest.fixture
def portal(city, district):
    return tree.ensure_portal()


@pytest.fixture
def city_page(portal, city):
    return MunicipalityPage.objects.get(municipality=city)


@pytest.fixture
def district_page(portal, district):
    return MunicipalityPage.objects.get(municipality=district)


@pytest.fixture
def region_page(portal):
    return RegionPage.objects.get()


def png(width=64, height=48, color=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def image(title="Обложка", width=64, height=48):
    return Image.objects.create(title=title, file=ContentFile(png(width, height), name="cover.png"))


def document(title="Положение", name="doc.pdf", content=b"%PDF-1.4\n%%EOF\n"):
    return Document.objects.create(title=title, file=ContentFile(content, name=name))


def news(user, parent, title="Открыта запись на летние смены", publish=True, **fields):
    fields.setdefault("lead", "Коротко о главном.")
    fields.setdefault("body", "<p>Текст новости.</p>")
    return services.add_content(user, parent, NewsPage(title=title, **fields), publish=publish)
