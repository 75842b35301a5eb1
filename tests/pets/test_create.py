import re
import uuid

import pytest

from pets.models import Pet

pytestmark = pytest.mark.django_db


def test_create_answers_the_brief_shape(key_client):
    response = key_client.post("/pets", {"name": "boy", "age": 7, "type": "dog", "unknown": "ignored"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "age", "type", "photos", "created_at"}
    assert (body["name"], body["age"], body["type"], body["photos"]) == ("boy", 7, "dog", [])
    pet = Pet.objects.get(pk=uuid.UUID(body["id"]))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["created_at"])
    assert body["created_at"] == pet.created_at.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"age": 7, "type": "dog"}, "name"),
        ({"name": "", "age": 7, "type": "dog"}, "name"),
        ({"name": "x" * 101, "age": 7, "type": "dog"}, "name"),
        ({"name": None, "age": 7, "type": "dog"}, "name"),
        ({"name": "boy", "type": "dog"}, "age"),
        ({"name": "boy", "age": -1, "type": "dog"}, "age"),
        ({"name": "boy", "age": 101, "type": "dog"}, "age"),
        ({"name": "boy", "age": "seven", "type": "dog"}, "age"),
        ({"name": "boy", "age": 7.5, "type": "dog"}, "age"),
        ({"name": "boy", "age": "7", "type": "dog"}, "age"),
        ({"name": "boy", "age": True, "type": "dog"}, "age"),
        ({"name": "boy", "age": 7}, "type"),
        ({"name": "boy", "age": 7, "type": "parrot"}, "type"),
        ({"name": "boy", "age": 7, "type": "DOG"}, "type"),
        ({"name": "boy", "age": 7, "type": ["dog"]}, "type"),
    ],
)
def test_invalid_input_is_400_naming_the_field(key_client, payload, field):
    response = key_client.post("/pets", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Pet.objects.exists()


@pytest.mark.parametrize(("name", "age", "type_"), [("a", 0, "cat"), ("x" * 100, 100, "dog"), ("Барсик 🐱", 3, "cat")])
def test_boundary_values_are_accepted(key_client, name, age, type_):
    response = key_client.post("/pets", {"name": name, "age": age, "type": type_}, format="json")
    assert response.status_code == 201
    assert Pet.objects.get().name == name


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_a_body_that_is_not_an_object_is_400(key_client, body):
    response = key_client.post("/pets", body, content_type="application/json")
    assert response.status_code == 400
