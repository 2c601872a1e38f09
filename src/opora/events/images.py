"""The poster of an event, resized on upload: a phone downloads a few hundred kilobytes,
not the organizer's twelve-megapixel photo."""

from io import BytesIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from opora.errors import ValidationFailed

MAX_SIDE = 1200  # pixels of the longer side
MAX_BYTES = 15 * 1024 * 1024


def resized_poster(upload):
    """A JPEG of at most ``MAX_SIDE`` pixels a side from an uploaded picture; a refusal in
    Russian for what is not a picture."""
    if upload is None or not hasattr(upload, "read"):
        return upload
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise ValidationFailed({"poster": [_("Афиша больше 15 МБ: уменьшите изображение.")]})
    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError):
        raise ValidationFailed({"poster": [_("Афиша должна быть изображением (JPEG или PNG).")]}) from None
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    name = f"{Path(getattr(upload, 'name', 'poster')).stem[:80]}.jpg"
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
