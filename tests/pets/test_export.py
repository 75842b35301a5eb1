import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from pets.management.commands.export_pets import export_with_postgresql, export_with_python
from pets.models import Pet
from pets.storage import photo_url, photo_url_prefix
from tests.conftest import database_url
from tests.pets.factories import PetFactory, PhotoFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2021, 4, 11, 22, 39, 58, 123456, tzinfo=UTC)


def export(*args: str) -> tuple[str, dict]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_pets", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), json.loads(stdout.getvalue())


def expected(pets: list[Pet]) -> list[dict]:
    return [
        {
            "id": str(pet.id),
            "name": pet.name,
            "age": pet.age,
            "type": pet.type,
            "photos": [
                f"{settings.PUBLIC_BASE_URL}/media/{p.file.name}" for p in pet.photos.order_by("created_at", "id")
            ],
            "created_at": pet.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        for pet in pets
    ]


@pytest.fixture
def pets(settings):
    settings.PUBLIC_BASE_URL = "https://pets.example.com"
    created = [PetFactory(created_at=T0 + timedelta(seconds=i)) for i in range(7)]
    for index, pet in enumerate(created):
        PhotoFactory.create_batch(index % 3, pet=pet)  # 0, 1 or 2 photos
    return created


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        ((), lambda pet: True),
        (("--has-photos",), lambda pet: pet.photos.exists()),
        (("--has-photos", "true"), lambda pet: pet.photos.exists()),
        (("--has-photos", "1"), lambda pet: pet.photos.exists()),
        (("--has-photos", "false"), lambda pet: not pet.photos.exists()),
        (("--has-photos=0",), lambda pet: not pet.photos.exists()),
    ],
)
def test_export_matches_the_database(pets, args, keep):
    _, document = export(*args, "--chunk-size", "2")  # several chunks, so chunk boundaries are crossed
    newest_first = sorted(pets, key=lambda pet: pet.created_at, reverse=True)
    assert document == {"pets": expected([pet for pet in newest_first if keep(pet)])}
    assert all(set(item) == {"id", "name", "age", "type", "photos", "created_at"} for item in document["pets"])


def test_output_is_indented_like_the_brief(pets):
    PetFactory(name='quote " backslash \\ newline \n tab \t Барсик 🐱')
    text, document = export()
    assert text.startswith('{\n  "pets": [\n    {\n      "id": ')
    assert text.endswith("    }\n  ]\n}\n")
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_zero_pets_is_valid_json():
    text, document = export()
    assert document == {"pets": []}
    assert text == '{\n  "pets": []\n}\n'
    assert export("--has-photos")[1] == {"pets": []}


def test_without_public_base_url_the_fallback_is_used_and_said(settings):
    settings.PUBLIC_BASE_URL = ""
    photo = PhotoFactory()
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("export_pets", stdout=stdout, stderr=stderr)
    assert json.loads(stdout.getvalue())["pets"][0]["photos"] == [f"http://localhost:8000/media/{photo.file.name}"]
    assert "PUBLIC_BASE_URL is empty" in stderr.getvalue()


def test_unicode_names_survive(settings):
    pet = PetFactory(name="Барсик 🐱")
    assert export()[1]["pets"][0]["name"] == pet.name


def test_invalid_value_via_call_command_is_an_error():
    with pytest.raises(CommandError, match="invalid value 'maybe'"):
        call_command("export_pets", "--has-photos", "maybe")


@pytest.mark.parametrize("value", ["maybe", "yes", "2", ""])
def test_invalid_value_on_the_command_line_exits_2(value):
    environment = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "export_pets", "--has-photos", value],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--has-photos: invalid value" in result.stderr
    assert "Must be one of: true, false, 1, 0." in result.stderr


def test_names_that_need_quoting_get_the_storage_url(settings):
    settings.PUBLIC_BASE_URL = "https://pets.example.com"
    photo = PhotoFactory(file="pets/with space ü.png")
    assert export()[1]["pets"][0]["photos"] == [photo_url(photo.file.name)]
    assert photo_url(photo.file.name) == "https://pets.example.com/media/pets/with%20space%20%C3%BC.png"


@pytest.mark.parametrize("count", [3, 40])
def test_the_export_is_one_query_however_many_pets(django_assert_num_queries, count):
    for pet in PetFactory.create_batch(count):
        PhotoFactory.create_batch(pet.age % 3, pet=pet)
    # A savepoint around the cursor, the cursor's one query (fetched in chunks), the savepoint's release.
    with django_assert_num_queries(3):
        assert len(export("--chunk-size", "2")[1]["pets"]) == count


NAMES_THAT_NEED_ESCAPING = [
    'quote " backslash \\ slash /',
    "newline \n tab \t carriage return \r",
    "controls \x01\x08\x0c\x1f\x7f and \u2028 \u2029",
    "Барсик 🐱 日本",
    "\\n \\\\ \\u0041",  # what COPY's text format and JSON escapes are made of, as plain text
    " ",
]
FILE_NAMES = [
    "pets/plain-name_1.2.jpg",
    "pets/with space ü.png",
    "pets\\back\\slash.gif",
    "pets/%41 ~!*()' &?#=+;,[]@\"<>^`{|}.webp",
    "pets/日本 🐱.jpeg",
]


@pytest.mark.parametrize("has_photos", [None, True, False])
@pytest.mark.parametrize("chunk_size", [1, 3, 2000])
def test_postgresql_and_python_write_the_same_bytes(settings, has_photos, chunk_size):
    settings.PUBLIC_BASE_URL = "https://pets.example.com"
    for index, name in enumerate(NAMES_THAT_NEED_ESCAPING):
        pet = PetFactory(name=name, created_at=T0 + timedelta(seconds=index % 3))  # ties: ordered by id then
        for file in FILE_NAMES[: index % (len(FILE_NAMES) + 1)]:
            PhotoFactory(pet=pet, file=file)
    from_postgresql, from_python = io.BytesIO(), io.StringIO()
    export_with_postgresql(
        from_postgresql.write, has_photos=has_photos, url_prefix=photo_url_prefix(), chunk_size=chunk_size
    )
    export_with_python(from_python.write, has_photos, chunk_size)
    assert from_postgresql.getvalue().decode() == from_python.getvalue()
    document = json.loads(from_python.getvalue())
    assert len(document["pets"]) == {None: 6, True: 5, False: 1}[has_photos]
    assert from_python.getvalue() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.django_db(transaction=True)  # committed: the command runs in another process
def test_the_command_streams_bytes_from_postgresql_when_stdout_is_a_file(settings, tmp_path):
    settings.PUBLIC_BASE_URL = "https://pets.example.com"  # the same in the command's process
    for index, name in enumerate(NAMES_THAT_NEED_ESCAPING):
        PhotoFactory.create_batch(index % 3, pet=PetFactory(name=name))
    path = tmp_path / "pets.json"
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
    }
    with path.open("wb") as out:
        subprocess.run(
            [sys.executable, "manage.py", "export_pets"],
            cwd=settings.BASE_DIR, env=environment, stdout=out, stderr=subprocess.PIPE, check=True, timeout=60,
        )  # fmt: skip
    from_python = io.StringIO()
    export_with_python(from_python.write, None, 2000)
    assert path.read_bytes().decode() == from_python.getvalue()
    assert len(json.loads(from_python.getvalue())["pets"]) == len(NAMES_THAT_NEED_ESCAPING)
