"""Reads of the pets app. Every caller gets the same constant number of queries per page or chunk."""

import codecs
import contextlib
import string
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
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


# One pet as `export_pets` writes it (json.dumps(..., indent=2) nested two levels deep), as a str.format template,
# preceded by the end of the pet before it: each COPY row then ends where a line of the document ends (the row
# terminator is a newline of the document), and only the first row's PET_SEPARATOR is dropped.
PET_SEPARATOR = "    },\n"
PET_JSON_TEMPLATE = (
    '    {{\n      "id": "{id}",\n      "name": {name},\n      "age": {age},\n      "type": {type},\n'
    '      "photos": {photos},\n      "created_at": "{created_at}"'
)
PHOTO_SEPARATOR, PHOTOS_START, PHOTOS_END = ",\n        ", "[\n        ", "\n      ]"
# PostgreSQL's to_json() escapes a string exactly as Python's json encoder with ensure_ascii=False does
# (\" \\ \b \f \n \r \t, other control characters as \u00xx).
PET_JSON_FIELDS = {
    "id": "p.id",
    "name": "to_json(p.name)",
    "age": "p.age",
    "type": "to_json(p.type)",
    "photos": (
        "coalesce(%(photos_start)s || nullif(array_to_string(ARRAY("
        "SELECT to_json(%(url_prefix)s || {url_path})::text FROM {photo} f WHERE f.pet_id = p.id "
        "ORDER BY f.created_at, f.id), %(photo_separator)s), '') || %(photos_end)s, '[]')"
    ),
    "created_at": f"to_char(timezone('UTC', p.created_at), '{CREATED_AT_SQL_FORMAT}')",
}
# pets.storage.photo_url_builder in SQL: our own names as they are, any other through Django's filepath_to_uri
# (backslashes to slashes, UTF-8 percent-encoding of all but letters, digits and _.-~/!*()').
URL_PATH_SQL = r"""CASE WHEN f.file ~ '^[A-Za-z0-9._/-]+$' THEN f.file ELSE (
    SELECT coalesce(string_agg(CASE WHEN c ~ '^[A-Za-z0-9_.~/!*()''-]$' THEN c
        ELSE upper(regexp_replace(encode(convert_to(c, 'UTF8'), 'hex'), '(..)', '%%\1', 'g')) END, '' ORDER BY n), '')
    FROM regexp_split_to_table(replace(f.file, '\', '/'), '') WITH ORDINALITY AS t(c, n)) END"""


def _pet_json_sql(has_photos: bool | None) -> tuple[str, dict[str, str]]:
    parts, params = ["%(separator)s"], {"separator": PET_SEPARATOR}
    for index, (literal, field, _, _) in enumerate(string.Formatter().parse(PET_JSON_TEMPLATE)):
        params[f"part{index}"] = literal
        parts.append(f"%(part{index})s")
        if field:
            parts.append(PET_JSON_FIELDS[field].format(url_path=URL_PATH_SQL, photo=Photo._meta.db_table))
    condition = ""
    if has_photos is not None:
        condition = (
            f"WHERE {'' if has_photos else 'NOT '}EXISTS (SELECT FROM {Photo._meta.db_table} f WHERE f.pet_id = p.id)"
        )
    sql = (
        f"COPY (SELECT concat({', '.join(parts)}) FROM {Pet._meta.db_table} p {condition} "
        "ORDER BY p.created_at DESC, p.id) TO STDOUT"
    )
    params |= {"photos_start": PHOTOS_START, "photos_end": PHOTOS_END, "photo_separator": PHOTO_SEPARATOR}
    return sql, params


def pet_export_json(*, url_prefix: str, has_photos: bool | None = None, rows_per_chunk: int = 2000) -> Iterator[bytes]:
    """The pets of `export_pets` as UTF-8 JSON, built by PostgreSQL and streamed with COPY ... TO STDOUT: the
    objects of the "pets" array joined by ",\\n" (nothing when there are none), `rows_per_chunk` pets at a time.

    Python only removes COPY's text escaping (the newlines and backslashes inside a row) from whole chunks, so
    memory stays flat and no pet goes through Python one by one. Photo URLs are `url_prefix` + the name, quoted
    like pets.storage.photo_url_builder does for the file system storage.
    """
    sql, params = _pet_json_sql(has_photos)
    params["url_prefix"] = url_prefix
    first = True
    # One statement in one transaction: the COPY is logged and counted like any other query (debug_sql).
    with transaction.atomic(), connection.cursor() as cursor:
        log = cursor.debug_sql(sql, params) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
        with log, cursor.cursor.copy(sql, params) as copy:
            rows: list[bytes] = []
            for row in copy:
                rows.append(row)
                if len(rows) < rows_per_chunk:
                    continue
                chunk = _unescape(rows)
                yield chunk[len(PET_SEPARATOR) :] if first else chunk
                first, rows = False, []
            if rows:
                chunk = _unescape(rows)
                yield chunk[len(PET_SEPARATOR) :] if first else chunk
                first = False
    if not first:
        yield b"    }"


def _unescape(rows: list[bytes]) -> bytes:
    # COPY's text format writes a newline inside a value as \n and a backslash as \\ (the rows hold no other
    # control characters: to_json escapes them); codecs.escape_decode undoes exactly that, in C.
    return codecs.escape_decode(b"".join(rows))[0]
