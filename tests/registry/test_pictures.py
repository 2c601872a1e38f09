"""Pictures of programs: an uploaded photo is checked and resized into the card and page
sizes; a program without one shows its direction's drawing; public photos are served,
private uploads (plans' evidence, answers' files) are not."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse
from PIL import Image

from opora.errors import ValidationFailed
from opora.registry import images, services
from opora.registry.choices import Direction, ProgramStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def photo(name="robots.jpg", size=(3000, 1000), kind="JPEG", exif_rotated=False) -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", size, "teal")
    if exif_rotated:  # a phone's portrait photo stored sideways with «rotate 90°» in EXIF
        exif = image.getexif()
        exif[0x0112] = 6
        image.save(buffer, kind, exif=exif)
    else:
        image.save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue())


def sizes(program) -> dict:
    found = {}
    for size in images.SIZES:
        with Image.open(program.photo.storage.path(images.rendition_name(program.photo.name, size))) as image:
            found[size] = (image.format, image.size)
    return found


def test_a_new_photo_is_resized_for_the_card_and_the_page(staff, provider):
    program = f.program(provider)

    services.update_program(staff, program, {"photo": photo()})

    program.refresh_from_db()
    assert sizes(program) == {"card": ("JPEG", (640, 400)), "page": ("JPEG", (1280, 427))}
    assert program.card_picture == "/media/programs/card/robots.jpg"


def test_the_phone_rotation_is_applied(staff, provider):
    program = f.program(provider)

    services.update_program(staff, program, {"photo": photo(size=(1600, 1200), exif_rotated=True)})
    program.refresh_from_db()

    assert sizes(program)["page"] == ("JPEG", (720, 960))  # portrait, as the parent took it


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("virus.jpg", b"MZ not a picture"), "не читается как изображение"),
    (photo("scan.gif", kind="GIF"), "JPEG, PNG или WebP"),
])
def test_what_is_not_a_photo_is_refused_and_nothing_changes(staff, provider, upload, message):
    program = f.program(provider, status=ProgramStatus.PUBLISHED)

    with pytest.raises(ValidationFailed, match=message):
        services.update_program(staff, program, {"photo": upload})

    program.refresh_from_db()
    assert not program.photo and program.status == ProgramStatus.PUBLISHED


def test_a_photo_over_the_limit_is_refused(staff, provider, monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    with pytest.raises(ValidationFailed, match="больше 10 МБ"):
        services.create_program(staff, provider, {"title": "Фото", "photo": photo()})


def test_without_a_photo_the_direction_is_drawn(provider, client):
    program = f.program(provider, direction=Direction.ARTS, status=ProgramStatus.PUBLISHED)

    assert program.card_picture.endswith("navigator/directions/arts.svg")
    page = client.get(reverse("navigator:program", args=[program.pk])).content.decode()
    assert "navigator/directions/arts.svg" in page and "Рисунок: Художественная направленность" in page
    for direction in Direction.values:  # every direction has its drawing, an accessible SVG
        svg = Path(images.__file__).parents[1] / "navigator/static/navigator/directions" / f"{direction}.svg"
        text = svg.read_text(encoding="utf-8")
        assert 'role="img"' in text and "aria-label=" in text and "http" not in text.replace(
            "http://www.w3.org/2000/svg", "")


def test_photos_are_served_and_private_uploads_are_not(staff, provider, client, settings):
    program = f.program(provider)
    services.update_program(staff, program, {"photo": photo()})
    program.refresh_from_db()
    private = settings.MEDIA_ROOT / "plans" / "evidence" / "order.pdf"
    private.parent.mkdir(parents=True)
    private.write_bytes(b"%PDF-1.4")

    card = client.get(program.card_picture)
    assert card.status_code == 200 and card["Content-Type"] == "image/jpeg"
    assert client.get("/media/plans/evidence/order.pdf").status_code == 404
    assert client.get("/media/programs/../plans/evidence/order.pdf").status_code == 404


def test_the_web_server_may_serve_media_instead(settings, client):
    import importlib

    import opora.urls

    settings.OPORA_SERVE_MEDIA = False
    try:
        clear_url_caches()
        importlib.reload(opora.urls)
        assert client.get("/media/programs/card/robots.jpg").status_code == 404
        assert not any("media" in str(p.pattern) for p in opora.urls.urlpatterns)
    finally:
        settings.OPORA_SERVE_MEDIA = True
        importlib.reload(opora.urls)
        clear_url_caches()
