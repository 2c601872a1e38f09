"""Covers and body images are stored no wider than ``OPORA_PORTAL_IMAGE_MAX_WIDTH``: a
phone photo of 6000 px is cut down on upload (Wagtail's renditions then serve the sizes
pages need)."""

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def fitted(uploaded):
    """The uploaded image, resized to the maximum width if wider; otherwise itself."""
    limit = settings.OPORA_PORTAL_IMAGE_MAX_WIDTH
    uploaded.seek(0)
    with Image.open(uploaded) as image:
        image_format = image.format
        if image.width <= limit or image_format not in FORMATS:
            uploaded.seek(0)
            return uploaded
        image = ImageOps.exif_transpose(image)
        image.thumbnail((limit, limit * 10))
        buffer = io.BytesIO()
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, format=image_format, quality=85)
    return SimpleUploadedFile(uploaded.name, buffer.getvalue(), content_type=FORMATS[image_format])
