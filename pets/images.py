"""Decide from the bytes (never the name or the client's content type) whether an upload is an image we accept.

Memory per upload is bounded whatever the image's dimensions: a JPEG is decoded at 1/8 scale (every byte of its
compressed data is still decoded), a PNG's compressed stream is inflated piece by piece and thrown away (its length
is checked against the dimensions), and only GIF and WebP, which Pillow cannot decode partially, are decoded whole,
up to DECODE_MAX_PIXELS. At most PET_IMAGE_CONCURRENT_CHECKS checks run at once per process.
"""

import io
import threading
import zlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from pets.exceptions import PhotoInvalidError

# Pillow format name -> file extension of the stored copy.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# A small file can still describe a huge bitmap (a "decompression bomb"); 50 megapixels is plenty for a pet.
MAX_PIXELS = 50_000_000
# GIF and WebP are decoded whole: 16 megapixels are at most 64 MB of RGBA.
DECODE_MAX_PIXELS = 16_000_000
INFLATE_STEP = 1 << 20
INVALID_MESSAGE = "Upload a valid JPEG, PNG, GIF or WebP image; this file is not one or it is damaged."

_checks = threading.BoundedSemaphore(settings.PET_IMAGE_CONCURRENT_CHECKS)


@dataclass(frozen=True)
class CheckedImage:
    extension: str
    content: bytes  # the image up to its end: bytes appended after it are not stored


def image_check(file: IO[bytes]) -> CheckedImage:
    """The accepted image in `file`; PhotoInvalidError for anything else, a broken image or one too large."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    with _checks:
        try:
            with Image.open(io.BytesIO(data), formats=list(EXTENSIONS)) as image:
                image_format, width, height = image.format, image.width, image.height
                _check_dimensions(image_format, width, height)
                end = ENDS[image_format](data)
                if image_format == "JPEG":
                    image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))  # DCT scaling: 1/64 of the memory
                    image.load()
                elif image_format == "PNG":
                    _png_inflate_check(data)
                else:
                    image.load()
        except PhotoInvalidError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, zlib.error) as exc:
            raise PhotoInvalidError(INVALID_MESSAGE, field="file") from exc
        except Image.DecompressionBombError as exc:
            raise PhotoInvalidError(INVALID_MESSAGE, field="file") from exc
    return CheckedImage(extension=EXTENSIONS[image_format], content=data[:end])


def _check_dimensions(image_format: str, width: int, height: int) -> None:
    limit = DECODE_MAX_PIXELS if image_format in ("GIF", "WEBP") else MAX_PIXELS
    if width * height > limit:
        raise PhotoInvalidError(
            f"The image is {width}x{height} pixels; at most {limit} pixels are accepted for {image_format}.",
            field="file",
        )


def _jpeg_end(data: bytes) -> int:
    """Walk the JPEG's segments and entropy-coded scans to the end-of-image marker."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("no JPEG start marker")
    position = 2
    while True:
        if data[position] != 0xFF:
            raise ValueError("marker expected")
        while data[position] == 0xFF:  # fill bytes
            position += 1
        marker = data[position]
        position += 1
        if marker == 0xD9:
            return position
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            continue
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2:
            raise ValueError("bad segment length")
        position += length
        if marker == 0xDA:  # a scan: its data ends at the next marker that is not 0xFF00 (stuffing) or RSTn
            while True:
                position = data.index(b"\xff", position)
                following = data[position + 1]
                if following in (0x00, 0xFF) or 0xD0 <= following <= 0xD7:
                    position += 1
                    continue
                break


def _png_chunks(data: bytes):
    """(type, payload, end offset) of each chunk, CRCs checked, up to IEND."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("no PNG signature")
    position = 8
    while True:
        length = int.from_bytes(data[position : position + 4], "big")
        kind, payload_start = data[position + 4 : position + 8], position + 8
        payload_end = payload_start + length
        if payload_end + 4 > len(data):
            raise ValueError("truncated PNG chunk")
        if zlib.crc32(data[position + 4 : payload_end]) != int.from_bytes(data[payload_end : payload_end + 4], "big"):
            raise ValueError("PNG chunk CRC mismatch")
        position = payload_end + 4
        yield kind, data[payload_start:payload_end], position
        if kind == b"IEND":
            return


def _png_end(data: bytes) -> int:
    return [end for _, _, end in _png_chunks(data)][-1]


def _png_inflate_check(data: bytes) -> None:
    """Inflate the pixel data in steps, keeping none of it, and compare its length with the header's."""
    chunks = _png_chunks(data)
    _, header, _ = next(chunks)
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    bit_depth, colour_type, interlaced = header[8], header[9], header[12]
    bits_per_pixel = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type] * bit_depth
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    expected = 0
    for x0, y0, dx, dy in passes if interlaced else [(0, 0, 1, 1)]:
        pass_width, pass_height = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if pass_width > 0 and pass_height > 0:
            expected += pass_height * (1 + -(-pass_width * bits_per_pixel // 8))
    inflater, inflated = zlib.decompressobj(), 0
    for kind, payload, _ in chunks:
        if kind != b"IDAT":
            continue
        pending = payload
        while pending and not inflater.eof:
            inflated += len(inflater.decompress(pending, INFLATE_STEP))
            pending = inflater.unconsumed_tail
            if inflated > expected:
                raise ValueError("more pixel data than the dimensions allow")
    if not inflater.eof or inflated != expected:
        raise ValueError("pixel data shorter than the dimensions")


def _gif_end(data: bytes) -> int:
    """Walk the GIF's blocks to its trailer byte."""
    flags, position = data[10], 13
    if flags & 0x80:  # global colour table
        position += 3 * (2 << (flags & 7))
    while True:
        block = data[position]
        if block == 0x3B:
            return position + 1
        if block == 0x21:  # extension: label, then sub-blocks
            position += 2
        elif block == 0x2C:  # image: descriptor, local colour table, LZW code size, then sub-blocks
            flags = data[position + 9]
            position += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0) + 1
        else:
            raise ValueError("unknown GIF block")
        while size := data[position]:
            position += size + 1
        position += 1


def _webp_end(data: bytes) -> int:
    size = int.from_bytes(data[4:8], "little")
    end = 8 + size + (size & 1)
    if data[:4] != b"RIFF" or end > len(data) + (size & 1):
        raise ValueError("truncated WebP")
    return min(end, len(data))


ENDS = {"JPEG": _jpeg_end, "PNG": _png_end, "GIF": _gif_end, "WEBP": _webp_end}
