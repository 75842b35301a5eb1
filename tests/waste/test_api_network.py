"""Storage, route and transfer endpoints over HTTP, and their Swagger documentation."""

import pytest

from tests.waste.conftest import build_network
from tests.waste.factories import (
    StorageFactory,
    StorageRoomFactory,
    TransferFactory,
)
from waste.models import Route, StorageRoom

pytestmark = pytest.mark.django_db


# --- storages ----------------------------------------------------------------------------------------


def test_create_storage_shows_room(staff_client):
    response = staff_client.post("/waste/storages", {"name": "МНО1", "capacity": {"plastic": 100, "glass": 300}})
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": response.json()["id"],
        "name": "МНО1",
        "capacity": {"glass": 300, "plastic": 100},
        "room": {
            "glass": {"capacity": 300, "stored": 0, "free": 300},
            "plastic": {"capacity": 100, "stored": 0, "free": 100},
        },
        "transfers": [],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": {"plastic": 1}}, "name"),
        ({"name": "x", "capacity": {"metal": 5}}, "capacity"),
        ({"name": "x", "capacity": {"plastic": -5}}, "capacity"),
        ({"name": "x", "capacity": {"plastic": "lots"}}, "capacity"),
        ({"name": "x", "capacity": [1]}, "capacity"),
    ],
)
def test_create_storage_bad_input(staff_client, body, field):
    response = staff_client.post("/waste/storages", body)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("size", [3, 40])
def test_storage_list_query_count_is_constant(api_client, django_assert_num_queries, size):
    for storage in StorageFactory.create_batch(size):
        StorageRoomFactory(storage=storage, waste_type="glass")
        StorageRoomFactory(storage=storage, waste_type="bio", stored=5)
    with django_assert_num_queries(1):  # the page with its rooms and the count
        response = api_client.get("/waste/storages?limit=100")
    assert response.json()["count"] == size
    assert response.json()["items"][0]["room"]["bio"] == {"capacity": 100, "stored": 5, "free": 95}


@pytest.mark.parametrize(
    ("query", "count", "names"),
    [
        ("", 4, ["a_b", "a%b", "AXB", "empty"]),
        ("?name=a_b", 1, ["a_b"]),  # `_` and `%` are plain characters, not LIKE wildcards
        ("?name=%25", 1, ["a%b"]),
        ("?name=x", 1, ["AXB"]),  # case-insensitive
        ("?name=nothing", 0, []),
        ("?offset=2&limit=1", 4, ["AXB"]),
        ("?name=a&offset=1&limit=1", 3, ["a%b"]),
    ],
)
def test_storage_list_filters_and_pages(api_client, query, count, names):
    for name in ("a_b", "a%b", "AXB"):
        StorageRoomFactory(storage=StorageFactory(name=name), waste_type="glass", capacity=7, stored=2)
    StorageFactory(name="empty")  # equipped for nothing
    response = api_client.get(f"/waste/storages{query}")
    assert response.status_code == 200
    assert response.json()["count"] == count
    items = {item["name"]: item for item in response.json()["items"]}
    assert list(items) == names
    if "empty" in items:
        assert items["empty"] == {"id": items["empty"]["id"], "name": "empty", "capacity": {}, "room": {}}
    if "AXB" in items:
        assert items["AXB"]["capacity"] == {"glass": 7}
        assert items["AXB"]["room"] == {"glass": {"capacity": 7, "stored": 2, "free": 5}}


def test_the_storage_page_written_by_postgresql_equals_the_serializer_output(api_client):
    """The list is written by PostgreSQL; the detail, by StorageOutputSerializer: same items, keys in the same order."""
    for name, types in (("three", ("plastic", "bio", "glass")), ("one", ("glass",)), ("none", ())):
        storage = StorageFactory(name=name)
        for index, waste_type in enumerate(types):
            StorageRoomFactory(storage=storage, waste_type=waste_type, capacity=10 + index, stored=index)
    items = api_client.get("/waste/storages").json()["items"]
    for item in items:
        detail = api_client.get(f"/waste/storages/{item['id']}").json()
        assert item == detail
        assert list(item) == list(detail)
        assert list(item["room"]) == list(detail["room"]) == list(item["capacity"])
    assert list(items[0]["room"]) == ["bio", "glass", "plastic"]


def test_a_page_past_the_end_is_empty_with_the_count(api_client, django_assert_num_queries):
    StorageFactory.create_batch(3)
    with django_assert_num_queries(1):
        response = api_client.get("/waste/storages?offset=5")
    assert response.json() == {"count": 3, "items": []}


def test_storage_detail_is_public(api_client, small):
    response = api_client.get(f"/waste/storages/{small.storages['B'].pk}")
    assert response.status_code == 200
    assert response.json()["capacity"] == {"glass": 300}


def test_raising_capacity_answers_with_the_transfers_it_caused(staff_client):
    network = build_network(
        organizations={"ОО": {"bio": (7, 50)}}, storages={"A": {"bio": (5, 5)}}, routes=[("ОО", "A", 3, False)]
    )
    response = staff_client.patch(f"/waste/storages/{network.storages['A'].pk}", {"capacity": {"bio": 10}})
    assert response.status_code == 200, response.json()
    assert [(t["organization"]["name"], t["amount"]) for t in response.json()["transfers"]] == [("ОО", 5)]
    assert response.json()["room"]["bio"] == {"capacity": 10, "stored": 10, "free": 0}


@pytest.mark.parametrize(
    ("body", "named"),
    [({"capacity": {"bio": 4}}, "bio"), ({"capacity": {"glass": 10}}, "bio"), ({"name": "B"}, "name")],
    ids=["below stored", "removing a type that holds waste", "name taken"],
)
def test_storage_update_refusals(staff_client, body, named):
    network = build_network(organizations={}, storages={"A": {"bio": (5, 5)}, "B": {}})
    response = staff_client.patch(f"/waste/storages/{network.storages['A'].pk}", body)
    assert response.status_code == 400
    assert named in (response.json().get("type"), response.json().get("field"))
    assert StorageRoom.objects.get().capacity == 5


def test_delete_storage(staff_client, small):
    assert staff_client.delete(f"/waste/storages/{small.storages['A'].pk}").status_code == 204
    response = staff_client.get(f"/waste/organizations/{small.organizations['ОО'].pk}/storages")
    assert [item["distance_m"] for item in response.json()["items"]] == [None, None]


def test_empty_storage_dispatches_pending_waste(staff_client):
    network = build_network(
        organizations={"ОО": {"bio": (7, 50)}},
        storages={"A": {"bio": (5, 5), "glass": (3, 10)}},
        routes=[("ОО", "A", 3, False)],
    )
    response = staff_client.post(f"/waste/storages/{network.storages['A'].pk}/empty", {"types": ["bio"]})
    assert response.status_code == 200, response.json()
    assert response.json()["storage"]["room"] == {
        "bio": {"capacity": 5, "stored": 5, "free": 0},
        "glass": {"capacity": 10, "stored": 3, "free": 7},
    }
    assert [t["amount"] for t in response.json()["transfers"]] == [5]


def test_empty_without_types_empties_all(staff_client):
    network = build_network(organizations={}, storages={"A": {"bio": (5, 5), "glass": (3, 10)}})
    response = staff_client.post(f"/waste/storages/{network.storages['A'].pk}/empty")
    assert response.status_code == 200
    assert set(StorageRoom.objects.values_list("stored", flat=True)) == {0}


@pytest.mark.parametrize(("types", "field"), [(["metal"], "types"), (["plastic"], "plastic"), ([], "types")])
def test_empty_bad_types(staff_client, types, field):
    network = build_network(organizations={}, storages={"A": {"bio": (5, 5)}})
    response = staff_client.post(f"/waste/storages/{network.storages['A'].pk}/empty", {"types": types})
    assert response.status_code == 400
    assert field in response.json() or response.json().get("type") == field
    assert StorageRoom.objects.get().stored == 5


# --- routes ------------------------------------------------------------------------------------------


def test_create_route_answers_with_the_transfers_it_caused(staff_client):
    network = build_network(organizations={"ОО": {"glass": (20, 50)}}, storages={"A": {"glass": (0, 100)}})
    organization, storage = network.organizations["ОО"], network.storages["A"]
    response = staff_client.post(
        "/waste/routes", {"from_organization": organization.pk, "to_storage": storage.pk, "distance_m": 70}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["from_organization"] == {"id": organization.pk, "name": "ОО"}
    assert body["from_storage"] is None
    assert body["to_storage"] == {"id": storage.pk, "name": "A"}
    assert (body["distance_m"], body["two_way"]) == (70, False)
    assert [(t["amount"], t["distance_m"]) for t in body["transfers"]] == [(20, 70)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from_storage": "A", "to_organization": "ОО", "distance_m": 5}, "to_organization"),
        ({"from_storage": "A", "to_storage": "ОО", "distance_m": 5}, "to_storage"),  # an organization's id
        ({"from_storage": "A", "to_storage": "A", "distance_m": 5}, "to_storage"),
        ({"from_storage": "A", "to_storage": "B", "distance_m": 5}, "to_storage"),  # duplicate
        ({"from_organization": "ОО", "to_storage": "B", "distance_m": 5, "two_way": True}, "two_way"),
        ({"from_storage": "A", "to_storage": "lonely", "distance_m": 0}, "distance_m"),
        ({"from_storage": "A", "to_storage": "lonely", "distance_m": -3}, "distance_m"),
        ({"from_storage": "A", "to_storage": "lonely", "distance_m": 2.5}, "distance_m"),
        ({"to_storage": "lonely", "distance_m": 5}, "from_organization"),
        (
            {"from_organization": "ОО", "from_storage": "A", "to_storage": "lonely", "distance_m": 5},
            "from_organization",
        ),
        ({"from_storage": 999999, "to_storage": "lonely", "distance_m": 5}, "from_storage"),
    ],
    ids=[
        "into an organization",
        "to an organization id",
        "self-loop",
        "duplicate",
        "two-way from an organization",
        "zero distance",
        "negative distance",
        "fractional distance",
        "no source",
        "two sources",
        "unknown storage",
    ],
)
def test_create_route_bad_input(staff_client, small, body, field):
    ids = {**{n: o.pk for n, o in small.organizations.items()}, **{n: s.pk for n, s in small.storages.items()}}
    # "to an organization id": a number no storage has
    if body.get("to_storage") == "ОО":
        body = {**body, "to_storage": 999999}
    body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = staff_client.post("/waste/routes", body)
    assert response.status_code == 400
    assert field in response.json() or response.json().get("field") == field
    assert Route.objects.count() == 2


@pytest.mark.parametrize("size", [3, 40])
def test_route_list_query_count_is_constant(api_client, django_assert_num_queries, size):
    routes = [("ОО", f"S{i}", i + 1, False) for i in range(size)] + [
        (f"S{i}", f"S{i + 1}", 1, True) for i in range(size - 1)
    ]
    build_network(organizations={"ОО": {}}, storages={f"S{i}": {} for i in range(size)}, routes=routes)
    with django_assert_num_queries(2):  # count, page (joined with its sites)
        response = api_client.get("/waste/routes?limit=100")
    assert response.json()["count"] == 2 * size - 1


def test_route_detail_update_delete(staff_client, small):
    route = Route.objects.get(from_storage=small.storages["A"])
    assert staff_client.get(f"/waste/routes/{route.pk}").json()["two_way"] is True
    response = staff_client.patch(f"/waste/routes/{route.pk}", {"distance_m": 7, "two_way": False})
    assert response.status_code == 200, response.json()
    assert (response.json()["distance_m"], response.json()["two_way"]) == (7, False)
    storages = staff_client.get(f"/waste/organizations/{small.organizations['ОО'].pk}/storages").json()["items"]
    assert [(item["storage"]["name"], item["distance_m"]) for item in storages][:2] == [("A", 10), ("B", 17)]
    assert staff_client.delete(f"/waste/routes/{route.pk}").status_code == 204
    storages = staff_client.get(f"/waste/organizations/{small.organizations['ОО'].pk}/storages").json()["items"]
    assert [item["distance_m"] for item in storages] == [10, None, None]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"distance_m": 0}, "distance_m"), ({"from_storage": 1}, "from_storage"), ({"two_way": "x"}, "two_way")],
)
def test_route_update_bad_input(staff_client, small, body, field):
    route = Route.objects.get(from_storage=small.storages["A"])
    response = staff_client.patch(f"/waste/routes/{route.pk}", body)
    assert response.status_code == 400
    assert field in response.json()


def test_an_organization_route_cannot_become_two_way(staff_client, small):
    route = Route.objects.get(from_organization=small.organizations["ОО"])
    response = staff_client.patch(f"/waste/routes/{route.pk}", {"two_way": True})
    assert response.status_code == 400
    assert response.json()["field"] == "two_way"


# --- transfers ---------------------------------------------------------------------------------------


def test_transfers_filtered(api_client):
    first, second = TransferFactory(waste_type="glass"), TransferFactory(waste_type="bio")
    TransferFactory(organization=first.organization, storage=second.storage, waste_type="bio")
    assert api_client.get("/waste/transfers").json()["count"] == 3
    by_org = api_client.get(f"/waste/transfers?organization={first.organization_id}").json()
    assert by_org["count"] == 2
    by_both = api_client.get(
        f"/waste/transfers?organization={first.organization_id}&storage={second.storage_id}&type=bio"
    )
    assert by_both.json()["count"] == 1
    assert by_both.json()["items"][0]["storage"] == {"id": second.storage_id, "name": second.storage_name}


@pytest.mark.parametrize("query", ["organization=x", "storage=-1", "type=metal", "colour=red", "limit=0"])
def test_transfers_bad_filters(api_client, query):
    response = api_client.get(f"/waste/transfers?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("size", [3, 60])
def test_transfer_list_query_count_is_constant(api_client, django_assert_num_queries, size):
    TransferFactory.create_batch(size)
    with django_assert_num_queries(2):  # count, page
        response = api_client.get("/waste/transfers?limit=100")
    assert len(response.json()["items"]) == size


# --- swagger -----------------------------------------------------------------------------------------


def test_swagger_documents_every_waste_endpoint_with_its_errors(client):
    document = client.get("/schema", HTTP_ACCEPT="application/json").json()
    waste_paths = {path: ops for path, ops in document["paths"].items() if path.startswith("/waste/")}
    assert len(waste_paths) == 15  # 11 + members (2) + network import and export
    for path, operations in waste_paths.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["tags"] == ["waste"], (path, method)
            if method != "get":
                assert "401" in operation["responses"], (path, method)
            if "{" in path:
                assert "404" in operation["responses"], (path, method)
    generate = waste_paths["/waste/organizations/{organization_id}/generate"]["post"]
    assert "400" in generate["responses"]
    assert generate["requestBody"]["content"]["application/json"]["examples"]
