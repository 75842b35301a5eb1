"""Writes of the pets app: create a pet, attach a photo, delete pets with their photo files."""

import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from config.api import truncated
from pets.exceptions import PetNotFoundError, PhotoLimitReachedError, PhotoTooLargeError
from pets.images import image_check
from pets.models import Pet, Photo
from pets.storage import photo_files_delete


def pet_create(*, name: str, age: int, type: str) -> Pet:
    return Pet.objects.create(name=name, age=age, type=type)


def pet_photo_add(*, pet: Pet, file: File, photo_id: uuid.UUID | None = None) -> Photo:
    """Check size and image format, store the image (without bytes after its end) under a server-generated name,
    then add the row.

    The pet row is locked while its photos are counted, the file stored and the row added, so a concurrent delete
    either comes after (and removes the file with the pet, after commit) or before (and this call answers 404
    having stored nothing), and two concurrent uploads cannot both take the last free place.
    If anything fails after the file is stored, the file is removed again.
    """
    size = file.size
    if size is not None and size > settings.PET_PHOTO_MAX_BYTES:
        raise PhotoTooLargeError(
            f"The file is {size} bytes; the limit is {settings.PET_PHOTO_MAX_BYTES} bytes.",
            field="file",
            max_bytes=settings.PET_PHOTO_MAX_BYTES,
        )
    image = image_check(file)
    photo_id = photo_id or uuid.uuid4()
    stored_name = None
    try:
        with transaction.atomic():
            if not Pet.objects.select_for_update().filter(pk=pet.pk).exists():
                raise PetNotFoundError(pet.pk)
            limit = settings.PET_MAX_PHOTOS
            if Photo.objects.filter(pet_id=pet.pk).count() >= limit:
                raise PhotoLimitReachedError(
                    f"Pet {pet.pk} already has {limit} photos; a pet may have at most {limit} (PET_MAX_PHOTOS).",
                    max_photos=limit,
                )
            stored_name = default_storage.save(f"pets/{photo_id}.{image.extension}", ContentFile(image.content))
            return Photo.objects.create(id=photo_id, pet=pet, file=stored_name)
    except BaseException:
        if stored_name is not None:
            photo_files_delete([stored_name])
        raise


@dataclass
class PetsDeleted:
    deleted: int = 0
    not_found: list[str] = field(default_factory=list)


def pets_delete(*, ids: list[object]) -> PetsDeleted:
    """Delete the pets whose ids exist, in one transaction; every other id (missing or malformed) is reported.

    An id given twice (in any spelling of the same UUID) counts once. Files are removed after commit.
    """
    requested: dict[object, tuple[str, uuid.UUID | None]] = {}  # dedup key -> (id as shown, parsed id)
    for raw in ids:
        given = raw if isinstance(raw, str) else json.dumps(raw)
        try:
            pet_id = uuid.UUID(raw) if isinstance(raw, str) else None
        except ValueError:
            pet_id = None
        requested.setdefault(pet_id or given, (truncated(given), pet_id))
    wanted = [pet_id for _, pet_id in requested.values() if pet_id is not None]
    with transaction.atomic():
        # Lock in primary-key order, so two overlapping deletes cannot deadlock.
        found = set(Pet.objects.select_for_update().filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True))
        if found:
            names = list(Photo.objects.filter(pet_id__in=found).values_list("file", flat=True))
            Photo.objects.filter(pet_id__in=found).delete()
            Pet.objects.filter(pk__in=found).delete()
            if names:
                transaction.on_commit(lambda: photo_files_delete(names))
    return PetsDeleted(
        deleted=len(found),
        not_found=[shown for shown, pet_id in requested.values() if pet_id is None or pet_id not in found],
    )
