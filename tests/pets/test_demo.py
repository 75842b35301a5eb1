import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from pets.demo import seed
from pets.models import Pet, Photo

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list, list]:
    pets = list(Pet.objects.order_by("id").values_list("id", "name", "age", "type", "created_at"))
    photos = list(Photo.objects.order_by("id").values_list("id", "pet_id", "file"))
    return pets, photos


def test_seed_is_idempotent_and_realistic():
    seed(stdout=io.StringIO())
    first = snapshot()
    seed(stdout=io.StringIO())
    assert snapshot() == first
    pets, photos = first
    assert len(pets) >= 30
    assert {row[3] for row in pets} == {"dog", "cat"}
    per_pet = {pet_id: 0 for pet_id, *_ in pets}
    for _, pet_id, _ in photos:
        per_pet[pet_id] += 1
    assert 0 < sum(1 for count in per_pet.values() if count == 0) < len(pets) / 2
    assert set(per_pet.values()) == {0, 1, 2, 3}
    formats = set()
    for _, _, name in photos:
        with default_storage.open(name) as file, Image.open(file) as image:
            image.load()
            formats.add(image.format)
    assert formats == {"JPEG", "PNG"}


def test_seed_redraws_missing_files():
    seed(stdout=io.StringIO())
    photo = Photo.objects.first()
    default_storage.delete(photo.file.name)
    out = io.StringIO()
    seed(stdout=out)
    assert default_storage.exists(photo.file.name)
    assert "1 photo files redrawn" in out.getvalue()
