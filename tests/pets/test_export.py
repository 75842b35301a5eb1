import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from pets.models import Pet
from pets.storage import photo_url
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
