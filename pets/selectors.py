"""Reads of the pets app. Every caller gets the same constant number of queries per page or chunk."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import CharField, Exists, F, Func, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Cast

from config.api import truncated
from pets.exceptions import PetNotFoundError
from pets.models import Pet, Photo

CREATED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S"
CREATED_AT_SQL_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS'  # the same format for PostgreSQL's to_char()


def created_at_text(value: datetime) -> str:
    """`2021-05-18T19:10:17`: UTC, whole seconds, no offset — the one format pets are shown in."""
    return value.astimezone(UTC).strftime(CREATED_AT_FORMAT)


def pet_get(*, pet_id: str | uuid.UUID) -> Pet:
    try:
        return Pet.objects.get(pk=uuid.UUID(str(pet_id)))
    except (ValueError, Pet.DoesNotExist) as exc:
        raise PetNotFoundError(truncated(pet_id)) from exc


def _filtered(pets: QuerySet[Pet], has_photos: bool | None) -> QuerySet[Pet]:
    if has_photos is None:
        return pets
    # EXISTS instead of a join: no duplicates to remove, and count() stays one cheap query.
    with_photo = Exists(Photo.objects.filter(pet_id=OuterRef("pk")))
    return pets.filter(with_photo if has_photos else ~with_photo)


def pet_list(*, has_photos: bool | None = None) -> QuerySet[Pet]:
    """Newest first; photos prefetched in upload order (1 query for the page + 1 for its photos)."""
    photos = Prefetch("photos", queryset=Photo.objects.order_by("created_at", "id"))
    return _filtered(Pet.objects.prefetch_related(photos).order_by("-created_at", "id"), has_photos)


def pet_export_chunks(*, has_photos: bool | None = None, chunk_size: int = 2000) -> Iterator[list[dict]]:
    """All matching pets, newest first, `chunk_size` at a time, as dicts ready to write: `id` and `created_at` are
    already text, `photos` holds the photo storage names.

    One query: each pet row carries the array of its photo names (a correlated subquery on the photo index), and a
    server-side cursor streams the rows, so memory stays flat however many pets there are. The cursor is opened
    inside a transaction: outside one Django declares it WITH HOLD, and PostgreSQL would then materialize the
    whole result before the first row arrives.
    """
    photo_names = Photo.objects.filter(pet_id=OuterRef("pk")).order_by("created_at", "id").values("file")
    rows = (
        _filtered(Pet.objects.order_by("-created_at", "id"), has_photos)
        .annotate(
            id_text=Cast("id", output_field=CharField()),
            # PostgreSQL formats the timestamp (as created_at_text does) several times faster than Python parses it.
            created_at_text=Func(
                Func(Value("UTC"), F("created_at"), function="timezone"),
                Value(CREATED_AT_SQL_FORMAT),
                function="to_char",
                output_field=CharField(),
            ),
            photo_names=ArraySubquery(photo_names),
        )
        .values_list("id_text", "name", "age", "type", "created_at_text", "photo_names")
    )
    with transaction.atomic():
        chunk: list[dict] = []
        for pet_id, name, age, type_, created_at, photos in rows.iterator(chunk_size=chunk_size):
            chunk.append(
                {"id": pet_id, "name": name, "age": age, "type": type_, "created_at": created_at, "photos": photos}
            )
            if len(chunk) == chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
