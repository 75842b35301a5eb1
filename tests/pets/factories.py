import io
import uuid

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from pets.models import Pet, Photo


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#c0392b").save(buffer, format=image_format)
    return buffer.getvalue()


def stored_png() -> str:
    return default_storage.save(f"pets/{uuid.uuid4()}.png", ContentFile(image_bytes("PNG")))


class PetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pet

    name = factory.Sequence(lambda n: f"pet-{n}")
    age = factory.Sequence(lambda n: n % 101)
    type = factory.Iterator([Pet.Type.DOG, Pet.Type.CAT])


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    pet = factory.SubFactory(PetFactory)
    file = factory.LazyFunction(stored_png)
