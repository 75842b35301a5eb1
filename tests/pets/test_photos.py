import io
import re
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from PIL import Image

from pets.exceptions import PetNotFoundError
from pets.models import Pet, Photo
from pets.services import pet_photo_add, pets_delete
from tests.conftest import wait_for_lock_waiters
from tests.pets.factories import PetFactory, image_bytes

pytestmark = pytest.mark.django_db


def upload(client, pet_id, content: bytes, name: str = "photo.bin", content_type: str = "application/octet-stream"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"/pets/{pet_id}/photo", {"file": file}, format="multipart")


def stored_files() -> set[str]:
    return set(default_storage.listdir("pets")[1]) if default_storage.exists("pets") else set()


@pytest.mark.parametrize(
    ("image_format", "extension", "content_type"),
    [
        ("JPEG", "jpg", "image/jpeg"),
        ("PNG", "png", "image/png"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
    ],
)
def test_each_accepted_format_is_stored_and_served(key_client, image_format, extension, content_type):
    pet = PetFactory()
    content = image_bytes(image_format)
    # The client's name and content type are ignored: only the bytes decide.
    response = upload(key_client, pet.id, content, name="../../evil.php", content_type="text/plain")
    assert response.status_code == 201
    body = response.json()
    photo = Photo.objects.get(pk=body["id"], pet=pet)
    assert photo.file.name == f"pets/{photo.id}.{extension}"
    assert body["url"] == f"http://testserver/media/pets/{photo.id}.{extension}"
    served = key_client.get(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert b"".join(served.streaming_content) == content


def test_the_url_uses_public_base_url_when_set(key_client, settings):
    settings.PUBLIC_BASE_URL = "https://pets.example.com"
    pet = PetFactory()
    body = upload(key_client, pet.id, image_bytes("PNG")).json()
    assert re.fullmatch(rf"https://pets\.example\.com/media/pets/{body['id']}\.png", body["url"])
    listed = key_client.get("/pets").json()["items"][0]["photos"]
    assert listed == [body]


def _truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()[: buffer.tell() // 2]


def _bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, format="PNG")  # 60 megapixels in a few kilobytes
    return buffer.getvalue()


def _bmp() -> bytes:
    return image_bytes("BMP")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"just some text, not a picture\n" * 10, "notes.jpg"),
        (b"", "empty.png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "header-only.jpg"),
        (_truncated_png(), "truncated.png"),
        (_bmp(), "photo.bmp"),
        (_bomb_png(), "bomb.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "vector.svg"),
    ],
    ids=["text-renamed-jpg", "empty", "jpeg-header-only", "truncated", "bmp", "decompression-bomb", "svg"],
)
def test_anything_but_a_valid_accepted_image_is_400(key_client, content, name):
    pet = PetFactory()
    files_before = stored_files()
    response = upload(key_client, pet.id, content, name=name, content_type="image/jpeg")
    assert response.status_code == 400
    body = response.json()
    assert "file" in body or body.get("field") == "file"
    assert not Photo.objects.exists()
    assert stored_files() == files_before


def test_missing_file_is_400_naming_file(key_client):
    pet = PetFactory()
    response = key_client.post(f"/pets/{pet.id}/photo", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.parametrize("extra_bytes", [1, 200_000], ids=["just-over", "far-over"])
def test_oversized_file_is_413_naming_file(key_client, settings, extra_bytes):
    settings.PET_PHOTO_MAX_BYTES = 1000
    pet = PetFactory()
    content = image_bytes("PNG", size=(400, 400))
    content += b"\x00" * (settings.PET_PHOTO_MAX_BYTES + extra_bytes - len(content))
    response = upload(key_client, pet.id, content)
    assert response.status_code == 413
    body = response.json()
    assert body["field"] == "file"
    assert body["code"] == "photo_too_large"
    assert "1000 bytes" in body["detail"]
    assert not Photo.objects.exists()


def test_a_file_at_the_limit_is_accepted(key_client, settings):
    content = image_bytes("PNG")
    settings.PET_PHOTO_MAX_BYTES = len(content)
    assert upload(key_client, PetFactory().id, content).status_code == 201


@pytest.mark.parametrize("pet_id", ["587e5358-6407-4fff-9f86-853ce1849ac7", "not-a-uuid", "123"])
def test_unknown_pet_is_404(key_client, pet_id):
    response = upload(key_client, pet_id, image_bytes("PNG"))
    assert response.status_code == 404
    assert response.json() == {"detail": f"Pet {pet_id} not found.", "code": "pet_not_found"}
    assert not Photo.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_racing_a_delete_leaves_no_orphan():
    """The upload waits for the pet's row lock; once the delete commits, it answers 404 and stores nothing."""
    pet = PetFactory()
    locked, outcome = threading.Event(), {}

    def upload_while_locked() -> None:
        try:
            locked.wait()
            pet_photo_add(pet=pet, file=ContentFile(image_bytes("PNG"), name="a.png"))
        except PetNotFoundError as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    files_before = stored_files()
    uploader = threading.Thread(target=upload_while_locked)
    uploader.start()
    with transaction.atomic():
        Pet.objects.select_for_update().get(pk=pet.pk)
        locked.set()
        wait_for_lock_waiters(1)  # the upload is blocked on the pet's row lock
        deleted = pets_delete(ids=[str(pet.pk)])
    uploader.join(timeout=10)
    assert deleted.deleted == 1
    assert not Pet.objects.filter(pk=pet.pk).exists()
    assert isinstance(outcome.get("error"), PetNotFoundError)
    assert not Photo.objects.exists()
    assert stored_files() == files_before
