import logging
import threading
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction

from pets.models import Pet, Photo
from pets.services import pets_delete
from tests.pets.factories import PetFactory, PhotoFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = "Pet with the matching ID was not found."


def test_delete_mixed_ids(key_client, django_capture_on_commit_callbacks):
    keep, first, second = PetFactory.create_batch(3)
    photos = PhotoFactory.create_batch(2, pet=first)
    kept_photo = PhotoFactory(pet=keep)
    missing = "587e5358-6407-4fff-9f86-853ce1849ac7"
    ids = [str(first.id), missing, "not-a-uuid", str(second.id).upper(), str(first.id), missing, 42, None, "not-a-uuid"]
    with django_capture_on_commit_callbacks(execute=True):
        response = key_client.delete("/pets", {"ids": ids}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "deleted": 2,
        "errors": [
            {"id": missing, "error": NOT_FOUND},
            {"id": "not-a-uuid", "error": NOT_FOUND},
            {"id": "42", "error": NOT_FOUND},
            {"id": "null", "error": NOT_FOUND},
        ],
    }
    assert list(Pet.objects.all()) == [keep]
    assert list(Photo.objects.all()) == [kept_photo]
    for photo in photos:
        assert not default_storage.exists(photo.file.name)
    assert default_storage.exists(kept_photo.file.name)


def test_the_brief_example(key_client, django_capture_on_commit_callbacks):
    first, third = PetFactory.create_batch(2)
    ids = [str(first.id), "587e5358-6407-4fff-9f86-853ce1849ac7", str(third.id)]
    response = key_client.delete("/pets", {"ids": ids}, format="json")
    assert response.json() == {
        "deleted": 2,
        "errors": [{"id": "587e5358-6407-4fff-9f86-853ce1849ac7", "error": NOT_FOUND}],
    }


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": "433a203f-5480-442b-b599-01060d988d87"}, {"ids": {"a": 1}}, {"ids": None}, {"ids": 5}],
    ids=["missing", "string", "object", "null", "number"],
)
def test_ids_missing_or_not_a_list_is_400(key_client, body):
    pet = PetFactory()
    response = key_client.delete("/pets", body, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()
    assert Pet.objects.filter(pk=pet.pk).exists()


@pytest.mark.parametrize(("count", "status"), [(1000, 200), (1001, 400)])
def test_at_most_1000_ids(key_client, count, status):
    response = key_client.delete("/pets", {"ids": [str(uuid.uuid4()) for _ in range(count)]}, format="json")
    assert response.status_code == status
    if status == 200:
        assert response.json()["deleted"] == 0
        assert len(response.json()["errors"]) == count
    else:
        assert "ids" in response.json()


def test_empty_list_deletes_nothing(key_client):
    PetFactory()
    assert key_client.delete("/pets", {"ids": []}, format="json").json() == {"deleted": 0, "errors": []}
    assert Pet.objects.count() == 1


def test_files_stay_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                pets_delete(ids=[str(photo.pet_id)])
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Photo.objects.filter(pk=photo.pk).exists()
    assert default_storage.exists(photo.file.name)


def test_a_failed_file_removal_is_logged_not_500(key_client, django_capture_on_commit_callbacks, caplog):
    photo = PhotoFactory()
    path = default_storage.path(photo.file.name)
    # Replace the file with a non-empty directory of the same name: the storage cannot remove it.
    default_storage.delete(photo.file.name)
    Path(path).mkdir()
    (Path(path) / "blocker").write_bytes(b"x")
    with caplog.at_level(logging.ERROR, logger="pets.storage"), django_capture_on_commit_callbacks(execute=True):
        response = key_client.delete("/pets", {"ids": [str(photo.pet_id)]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"deleted": 1, "errors": []}
    assert not Pet.objects.exists()
    assert any(photo.file.name in record.getMessage() for record in caplog.records)
    assert default_storage.exists(path)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deletes_of_the_same_pets_count_each_pet_once():
    pets = PetFactory.create_batch(20)
    photos = [PhotoFactory(pet=pet) for pet in pets]
    ids = [str(pet.id) for pet in pets]
    results, barrier = [], threading.Barrier(4)

    def worker(order: list[str]) -> None:
        try:
            barrier.wait()
            results.append(pets_delete(ids=order))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(ids[::step],)) for step in (1, -1, 1, -1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.deleted for result in results) == 20
    assert sum(len(result.not_found) for result in results) == 60
    assert not Pet.objects.exists()
    assert not any(default_storage.exists(photo.file.name) for photo in photos)
