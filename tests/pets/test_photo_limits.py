"""Limits of photo uploads: photos per pet, bytes after the image, memory of the image check."""

import io
import threading
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from pets.exceptions import PhotoInvalidError
from pets.images import image_check
from pets.models import Photo
from tests.conftest import run_in_threads
from tests.pets.factories import PetFactory, PhotoFactory, image_bytes

pytestmark = pytest.mark.django_db

FORMATS = [("JPEG", "jpg"), ("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp")]


def upload(client, pet_id, content: bytes):
    file = SimpleUploadedFile("photo", content, content_type="application/octet-stream")
    return client.post(f"/pets/{pet_id}/photo", {"file": file}, format="multipart")


def big_png(width: int = 7000, height: int = 7000) -> bytes:
    """A 7000x7000 RGB PNG (~150 KB) written row by row, so the test itself never holds the 147 MB bitmap."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return len(payload).to_bytes(4, "big") + kind + payload + zlib.crc32(kind + payload).to_bytes(4, "big")

    compressor, row, idat = zlib.compressobj(9), b"\x00" + b"\x7f" * (width * 3), []
    for _ in range(height):
        idat.append(compressor.compress(row))
    idat.append(compressor.flush())
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b"")


def memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


@pytest.mark.parametrize(("image_format", "extension"), FORMATS)
def test_bytes_after_the_image_are_not_stored(key_client, image_format, extension):
    image = image_bytes(image_format, size=(40, 30))
    response = upload(key_client, PetFactory().id, image + b"<?php appended payload ?>" * 50)
    assert response.status_code == 201
    photo = Photo.objects.get()
    with default_storage.open(photo.file.name) as stored:
        assert stored.read() == image


@pytest.mark.parametrize(("image_format", "extension"), FORMATS)
def test_a_truncated_image_of_any_format_is_400(key_client, image_format, extension):
    buffer = io.BytesIO()
    Image.effect_noise((120, 90), 60).convert("RGB").save(buffer, format=image_format)
    response = upload(key_client, PetFactory().id, buffer.getvalue()[: buffer.tell() * 2 // 3])
    assert response.status_code == 400
    assert response.json()["code"] == "photo_invalid"
    assert not Photo.objects.exists()


def test_the_photo_after_the_limit_is_409(key_client, settings):
    settings.PET_MAX_PHOTOS = 2
    pet = PetFactory()
    PhotoFactory.create_batch(2, pet=pet)
    response = upload(key_client, pet.id, image_bytes("PNG"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Pet {pet.id} already has 2 photos; a pet may have at most 2 (PET_MAX_PHOTOS).",
        "code": "photo_limit_reached",
        "max_photos": 2,
    }
    assert Photo.objects.filter(pet=pet).count() == 2


def test_the_default_limit_is_20(settings):
    assert settings.PET_MAX_PHOTOS == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_cannot_pass_the_limit_together(settings):
    settings.PET_MAX_PHOTOS = 3
    pet = PetFactory()
    PhotoFactory.create_batch(2, pet=pet)
    files_before = set(default_storage.listdir("pets")[1])

    def one_upload():
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=settings.API_KEY)
        return upload(client, pet.id, image_bytes("PNG")).status_code

    statuses = run_in_threads(*[one_upload] * 6)
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    assert Photo.objects.filter(pet=pet).count() == 3
    assert len(set(default_storage.listdir("pets")[1]) - files_before) == 1  # no file left by a refused upload


def test_a_7000_by_7000_png_is_checked_in_bounded_memory():
    content = big_png()
    assert len(content) < 1_000_000
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    before = memory_kb("VmRSS")
    checked = image_check(io.BytesIO(content))
    growth_mb = (memory_kb("VmHWM") - before) / 1024
    assert checked.extension == "png"
    assert checked.content == content
    assert growth_mb < 40, f"the check of a 147 MB bitmap grew the process by {growth_mb:.0f} MB"


def test_eight_parallel_checks_of_big_pngs_stay_bounded():
    content = big_png()
    Path("/proc/self/clear_refs").write_text("5")
    before = memory_kb("VmRSS")
    errors: list[BaseException] = []

    def check() -> None:
        try:
            image_check(io.BytesIO(content))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (memory_kb("VmHWM") - before) / 1024 < 80  # a full decode each would be 8 x 147 MB


def test_a_png_whose_pixel_data_is_short_is_refused():
    content = big_png(300, 200)
    # Recompress a shorter stream with valid CRCs: structurally fine, but fewer rows than the header says.
    short = zlib.compress((b"\x00" + b"\x7f" * 900) * 100)
    idat = len(short).to_bytes(4, "big") + b"IDAT" + short + zlib.crc32(b"IDAT" + short).to_bytes(4, "big")
    start = content.index(b"IDAT") - 4
    end = content.index(b"IEND") - 4
    with pytest.raises(PhotoInvalidError):
        image_check(io.BytesIO(content[:start] + idat + content[end:]))
