"""Demo pets for `manage.py seed_demo`: 36 dogs and cats, most with 1–3 drawn photos. Idempotent.

Ids are uuid5 of a fixed name, so a second run finds every pet and photo and changes nothing; a photo row
whose file is missing (a fresh media directory) gets its file drawn again.
"""

import io
import uuid
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw

from pets.models import Pet, Photo
from pets.services import pet_photo_add

NAMESPACE = uuid.UUID("5a0c0f0e-7e1d-4d47-9a43-6f1f3c2b7a10")
NAMES = [
    "Boy", "Girl", "Rex", "Luna", "Max", "Bella", "Charlie", "Lucy", "Rocky", "Daisy", "Oscar", "Molly",
    "Simba", "Nala", "Milo", "Chloe", "Buddy", "Lola", "Toby", "Zoe", "Jack", "Coco", "Leo", "Ruby",
    "Teddy", "Rosie", "Bruno", "Mia", "Loki", "Pepper", "Ginger", "Shadow", "Tiger", "Misty", "Bear", "Sasha",
]  # fmt: skip
NEWEST = datetime(2021, 5, 18, 19, 10, 17, tzinfo=UTC)
COLOURS = ["#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d"]


def _photo_count(index: int) -> int:
    return 0 if index % 6 == 5 else 1 + index % 3  # every sixth pet has no photo, the others 1–3


def _drawn_image(pet_index: int, photo_index: int) -> tuple[bytes, str]:
    image = Image.new("RGB", (320, 240), COLOURS[(pet_index + photo_index) % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 60, 220, 180), fill="#f5deb3", outline="black", width=3)  # a face
    draw.ellipse((130, 100, 145, 115), fill="black")
    draw.ellipse((175, 100, 190, 115), fill="black")
    if pet_index % 2 == 0:  # dog ears
        draw.ellipse((85, 50, 125, 120), fill="#8b4513")
        draw.ellipse((195, 50, 235, 120), fill="#8b4513")
    else:  # cat ears
        draw.polygon([(105, 85), (120, 35), (145, 70)], fill="#f5deb3", outline="black")
        draw.polygon([(215, 85), (200, 35), (175, 70)], fill="#f5deb3", outline="black")
    draw.text((10, 10), f"{NAMES[pet_index]} #{photo_index + 1}", fill="white")
    buffer = io.BytesIO()
    image_format = "PNG" if photo_index % 2 else "JPEG"
    image.save(buffer, format=image_format)
    return buffer.getvalue(), image_format.lower()


def seed(*, stdout) -> None:
    created_pets = created_photos = redrawn = 0
    with transaction.atomic():
        for index, name in enumerate(NAMES):
            pet, created = Pet.objects.get_or_create(
                id=uuid.uuid5(NAMESPACE, f"pet-{index}"),
                defaults={
                    "name": name,
                    "age": (index * 7) % 16 + 1,
                    "type": Pet.Type.DOG if index % 2 == 0 else Pet.Type.CAT,
                    "created_at": NEWEST - timedelta(days=index, hours=index * 5, minutes=index * 13),
                },
            )
            created_pets += created
            for photo_index in range(_photo_count(index)):
                photo_id = uuid.uuid5(NAMESPACE, f"pet-{index}-photo-{photo_index}")
                photo = Photo.objects.filter(pk=photo_id).first()
                if photo is not None and default_storage.exists(photo.file.name):
                    continue
                content, extension = _drawn_image(index, photo_index)
                if photo is None:
                    pet_photo_add(pet=pet, file=ContentFile(content, name=f"demo.{extension}"), photo_id=photo_id)
                    created_photos += 1
                else:
                    default_storage.save(photo.file.name, ContentFile(content))
                    redrawn += 1
    stdout.write(f"pets: {created_pets} pets and {created_photos} photos created, {redrawn} photo files redrawn")
