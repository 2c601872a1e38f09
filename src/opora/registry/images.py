"""Pictures of programs: the provider's photo, checked on upload and resized into the
sizes pages show — a card (cropped to 16:10) and a program page (the whole photo, at most
1280 px wide) — as JPEG next to the original, so a parent on a cheap phone never loads
a camera's twelve megapixels. A program without a photo shows the picture of its
direction (``navigator/directions/<direction>.svg``, drawn by the project).
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.templatetags.static import static
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from opora.errors import ValidationFailed

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
# size -> (width, height, crop): a card crops to its frame, a page keeps the whole photo.
SIZES = {"card": (640, 400, True), "page": (1280, 960, False)}


def check(upload) -> None:
    """Refuse what is not a photo the project can show, with a message a person reads."""
    if upload.size > MAX_BYTES:
        raise ValidationFailed({"photo": [_("Фотография больше 10 МБ.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, pixels = image.format, image.width * image.height
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationFailed({"photo": [_("Файл не читается как изображение: загрузите фотографию "
                                            "JPEG, PNG или WebP.")]}) from None
    finally:
        upload.seek(0)
    if kind not in FORMATS:
        raise ValidationFailed({"photo": [_("Загрузите фотографию JPEG, PNG или WebP.")]})
    if pixels > MAX_PIXELS:
        raise ValidationFailed({"photo": [_("Фотография слишком большая: не больше 40 мегапикселей.")]})


def rendition_name(photo_name: str, size: str) -> str:
    """``programs/robots.png`` -> ``programs/card/robots.jpg``."""
    path = PurePosixPath(photo_name)
    return str(path.parent / size / f"{path.stem}.jpg")


def make_renditions(photo) -> None:
    """Write the card and page sizes of a stored photo (EXIF rotation applied)."""
    with photo.open("rb") as stored, Image.open(stored) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    for size, (width, height, crop) in SIZES.items():
        if crop:
            resized = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
        else:
            resized = image.copy()
            resized.thumbnail((width, height), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        resized.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        name = rendition_name(photo.name, size)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(buffer.getvalue()))


def picture_url(program, size: str) -> str:
    """Where the picture of a program in ``size`` is: its photo's rendition, or its
    direction's drawing."""
    return picture_url_of(program.photo.name if program.photo else "", program.direction, size)


def picture_url_of(photo_name: str, direction: str, size: str) -> str:
    """``picture_url`` from a stored photo's name ("" for none) and a direction."""
    if photo_name:
        return default_storage.url(rendition_name(photo_name, size))
    return static(f"navigator/directions/{direction}.svg")
