"""`manage.py export_pets [--has-photos [true|false]]`: every pet as JSON on stdout, in the brief's format.

With the file system storage PostgreSQL builds the JSON and COPY ... TO STDOUT streams it (pets.selectors.
pet_export_json): Python passes chunks of bytes on. With a storage that builds each URL itself (S3), a server-side
cursor walks the pets and Python writes the JSON; both give the same bytes. Either way memory stays flat however
many pets there are. Photo URLs are absolute: PUBLIC_BASE_URL + the storage URL (http://localhost:8000 when
PUBLIC_BASE_URL is empty; a remote storage such as S3 gives absolute URLs itself).
"""

import argparse
import os
import sys
from json.encoder import encode_basestring as encode_string  # the C encoder, like ensure_ascii=False

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from pets.selectors import pet_export_chunks, pet_export_json
from pets.storage import fallback_base_url, photo_url_builder, photo_url_prefix

CHUNK_SIZE = 2000
DOCUMENT_START, DOCUMENT_END, NO_PETS = '{\n  "pets": [\n', "\n  ]\n}\n", '{\n  "pets": []\n}\n'


def has_photos_value(value: str) -> bool:
    from pets.serializers import parse_boolean  # only here: it imports DRF, which the export itself does not need

    try:
        return parse_boolean(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}: {exc}") from None


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a read-only export; the checks would only add start-up time
    help = "Write all pets (or only those with/without photos) to stdout as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--has-photos",
            nargs="?",
            const=True,
            default=None,
            type=has_photos_value,
            metavar="true|false",
            help="Only pets with photos (no value or true/1) or without photos (false/0); absent: all pets.",
        )
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help=argparse.SUPPRESS)

    def handle(self, *args, has_photos: bool | None, chunk_size: int, **options) -> None:
        if not settings.PUBLIC_BASE_URL:
            self.stderr.write(f"PUBLIC_BASE_URL is empty; photo URLs start with {fallback_base_url()}")
        try:
            self._export(has_photos, chunk_size)
        except BrokenPipeError:
            # The reader went away (`export_pets | head`): stop quietly, like other Unix tools.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    def _export(self, has_photos: bool | None, chunk_size: int) -> None:
        prefix = photo_url_prefix()
        binary = getattr(self.stdout, "buffer", None)  # sys.stdout's bytes; call_command(stdout=StringIO) has none
        if prefix is not None and binary is not None and self.stdout.encoding.lower().replace("-", "") == "utf8":
            export_with_postgresql(binary.write, has_photos=has_photos, url_prefix=prefix, chunk_size=chunk_size)
            binary.flush()
        elif prefix is not None:
            export_with_postgresql(
                lambda chunk: self.stdout.write(chunk.decode(), ending=""),
                has_photos=has_photos,
                url_prefix=prefix,
                chunk_size=chunk_size,
            )
        else:
            export_with_python(lambda text: self.stdout.write(text, ending=""), has_photos, chunk_size)


def export_with_postgresql(write, *, has_photos: bool | None, url_prefix: str, chunk_size: int) -> None:
    """The document from pet_export_json's chunks (bytes), for storages whose URLs are a prefix plus the name."""
    started = False
    for chunk in pet_export_json(url_prefix=url_prefix, has_photos=has_photos, rows_per_chunk=chunk_size):
        if not started:
            write(DOCUMENT_START.encode())
            started = True
        write(chunk)
    write(DOCUMENT_END.encode() if started else NO_PETS.encode())


def export_with_python(write, has_photos: bool | None, chunk_size: int) -> None:
    """The same document written by Python (str), for storages that build each URL themselves (S3)."""
    url = photo_url_builder()
    first = True
    for chunk in pet_export_chunks(has_photos=has_photos, chunk_size=chunk_size):
        parts = [pet_json(pet, [url(name) for name in pet["photos"]]) for pet in chunk]
        write((DOCUMENT_START if first else ",\n") + ",\n".join(parts))
        first = False
    write(NO_PETS if first else DOCUMENT_END)


def pet_json(pet: dict, urls: list[str]) -> str:
    """One pet exactly as `json.dumps(..., indent=2)` nested two levels deep would write it, several times faster
    (an indent switches json to its pure-Python encoder; here only the strings go through the C one)."""
    photos = "[\n        " + ",\n        ".join(map(encode_string, urls)) + "\n      ]" if urls else "[]"
    return (
        f'    {{\n      "id": "{pet["id"]}",\n      "name": {encode_string(pet["name"])},\n      "age": {pet["age"]:d},'
        f'\n      "type": {encode_string(pet["type"])},\n      "photos": {photos},'
        f'\n      "created_at": "{pet["created_at"]}"\n    }}'
    )
