"""Decide from the bytes (never the name or the client's content type) whether an upload is an image we accept."""

from typing import IO

from PIL import Image, UnidentifiedImageError

from pets.exceptions import PhotoInvalidError

# Pillow format name -> file extension of the stored copy.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# A small file can still decode into a huge bitmap (a "decompression bomb"); 50 megapixels is plenty for a pet.
MAX_PIXELS = 50_000_000
INVALID_MESSAGE = "Upload a valid JPEG, PNG, GIF or WebP image; this file is not one or it is damaged."


def image_extension(file: IO[bytes]) -> str:
    """The extension for the detected format; raise PhotoInvalidError for anything else or a broken image."""
    try:
        file.seek(0)
        with Image.open(file, formats=list(EXTENSIONS)) as image:
            image_format = image.format
            # Checked before any decoding; below Pillow's own bomb threshold, so its warning never fires.
            if image.width * image.height > MAX_PIXELS:
                raise PhotoInvalidError(
                    f"The image is {image.width}x{image.height} pixels; at most {MAX_PIXELS} pixels are accepted.",
                    field="file",
                )
            image.verify()
        # verify() checks structure only; decoding the pixels catches a truncated file.
        file.seek(0)
        with Image.open(file, formats=list(EXTENSIONS)) as image:
            image.load()
    except PhotoInvalidError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise PhotoInvalidError(INVALID_MESSAGE, field="file") from exc
    finally:
        file.seek(0)
    return EXTENSIONS[image_format]
