from datetime import UTC, datetime, timedelta

import pytest

from tests.pets.factories import PetFactory, PhotoFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2021, 5, 18, 19, 10, 17, 654321, tzinfo=UTC)


@pytest.fixture
def pets():
    """Four pets: two with photos (one has two), two without; created a minute apart, the last one newest."""
    created = [PetFactory(created_at=T0 + timedelta(minutes=i)) for i in range(4)]
    PhotoFactory(pet=created[0])
    PhotoFactory.create_batch(2, pet=created[2])
    return created


def ids(response) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


def test_list_is_newest_first_in_the_brief_shape(key_client, pets):
    response = key_client.get("/pets")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert ids(response) == [str(pet.id) for pet in reversed(pets)]
    item = body["items"][1]
    assert set(item) == {"id", "name", "age", "type", "photos", "created_at"}
    assert item["created_at"] == "2021-05-18T19:12:17"
    photos = pets[2].photos.order_by("created_at", "id")
    assert item["photos"] == [{"id": str(p.id), "url": f"http://testserver/media/{p.file.name}"} for p in photos]


def test_equal_created_at_is_ordered_by_id(key_client):
    same = sorted(PetFactory.create_batch(3, created_at=T0), key=lambda pet: pet.id)
    assert ids(key_client.get("/pets")) == [str(pet.id) for pet in same]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", [2, 0]), ("1", [2, 0]), ("True", [2, 0]), ("false", [3, 1]), ("0", [3, 1]), ("FALSE", [3, 1])],
)
def test_has_photos_filters(key_client, pets, value, expected):
    response = key_client.get("/pets", {"has_photos": value})
    assert response.status_code == 200
    assert ids(response) == [str(pets[i].id) for i in expected]
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("value", ["", "yes", "no", "2", "truee", "null", "none"])
def test_other_has_photos_values_are_400(key_client, pets, value):
    response = key_client.get("/pets", {"has_photos": value})
    assert response.status_code == 400
    assert response.json() == {"has_photos": ["Must be one of: true, false, 1, 0."]}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "x"}, "limit"), ({"offset": -1}, "offset")],
)
def test_bad_paging_is_400(key_client, params, field):
    response = key_client.get("/pets", params)
    assert response.status_code == 400
    assert field in response.json()


def test_limit_and_offset(key_client, pets):
    response = key_client.get("/pets", {"limit": 2, "offset": 1})
    assert response.json()["count"] == 4
    assert ids(response) == [str(pets[2].id), str(pets[1].id)]
    assert key_client.get("/pets", {"offset": 10}).json() == {"count": 4, "items": []}


@pytest.mark.parametrize("has_photos", [None, "true", "false"])
@pytest.mark.parametrize("limit", [1, 100])
def test_query_count_does_not_grow_with_the_page(key_client, django_assert_num_queries, has_photos, limit):
    for pet in PetFactory.create_batch(160):
        PhotoFactory.create_batch(pet.age % 3, pet=pet)
    params = {"limit": limit} | ({"has_photos": has_photos} if has_photos else {})
    # count + page + the page's photos; authentication needs no query.
    with django_assert_num_queries(3):
        response = key_client.get("/pets", params)
    body = response.json()
    assert body["count"] > 1
    assert len(body["items"]) == min(limit, body["count"])
