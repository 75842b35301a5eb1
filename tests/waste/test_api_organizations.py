"""Organization endpoints over HTTP (CRUD, generate, dispose, storages seen), plus 401/404 for every write."""

import pytest

from tests.waste.conftest import build_network
from tests.waste.factories import (
    OrganizationFactory,
    OrganizationWasteFactory,
    TransferFactory,
)
from waste.models import Organization, OrganizationWaste, Route, Storage, Transfer

pytestmark = pytest.mark.django_db


# --- organizations ---------------------------------------------------------------------------------


def test_create_organization(staff_client):
    body = {"name": "ОО1", "waste": {"plastic": {"limit": 10}, "glass": {"limit": 50}}}
    response = staff_client.post("/waste/organizations", body)
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": response.json()["id"],
        "name": "ОО1",
        "waste": {"glass": {"stock": 0, "limit": 50}, "plastic": {"stock": 0, "limit": 10}},
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"waste": {"plastic": {"limit": 1}}}, "name"),
        ({"name": "x"}, "waste"),
        ({"name": "x", "waste": {"metal": {"limit": 1}}}, "waste"),
        ({"name": "x", "waste": {"plastic": {"limit": -1}}}, "waste"),
        ({"name": "x", "waste": {"plastic": {"limit": 1.5}}}, "waste"),
        ({"name": "x", "waste": {"plastic": {"limit": 1, "stock": 1}}}, "waste"),
        ({"name": "taken", "waste": {}}, "name"),
    ],
)
def test_create_organization_bad_input_names_the_field(staff_client, body, field):
    OrganizationFactory(name="taken")
    response = staff_client.post("/waste/organizations", body)
    assert response.status_code == 400
    payload = response.json()
    assert field in payload or payload.get("field") == field
    assert Organization.objects.count() == 1


def test_unknown_waste_type_is_named(staff_client):
    response = staff_client.post("/waste/organizations", {"name": "x", "waste": {"metal": {"limit": 1}}})
    assert response.json() == {"waste": {"metal": ["Unknown waste type; expected one of: bio, glass, plastic."]}}


def test_organization_list_is_public_and_paginated(api_client, small):
    OrganizationFactory.create_batch(3)
    response = api_client.get("/waste/organizations?limit=2")
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert [item["name"] for item in response.json()["items"]][:1] == ["ОО"]
    assert len(response.json()["items"]) == 2


@pytest.mark.parametrize("size", [3, 40])
def test_organization_list_query_count_is_constant(api_client, django_assert_num_queries, size):
    for organization in OrganizationFactory.create_batch(size):
        OrganizationWasteFactory(organization=organization, waste_type="bio")
        OrganizationWasteFactory(organization=organization, waste_type="glass")
    with django_assert_num_queries(3):  # count, page, wastes
        response = api_client.get("/waste/organizations?limit=100")
    assert len(response.json()["items"]) == size


def test_organization_detail(api_client, small, django_assert_num_queries):
    organization = small.organizations["ОО"]
    with django_assert_num_queries(2):
        response = api_client.get(f"/waste/organizations/{organization.pk}")
    assert response.json()["waste"] == {"glass": {"stock": 0, "limit": 50}, "plastic": {"stock": 0, "limit": 10}}


def test_update_organization_renames_and_replaces_types(staff_client, small):
    organization = small.organizations["ОО"]
    response = staff_client.patch(
        f"/waste/organizations/{organization.pk}", {"name": "ОО-new", "waste": {"bio": {"limit": 5}}}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "ОО-new"
    assert response.json()["waste"] == {"bio": {"stock": 0, "limit": 5}}


def test_a_limit_cannot_drop_below_the_stock(staff_client):
    network = build_network(organizations={"ОО": {"glass": (30, 50)}}, storages={})
    organization = network.organizations["ОО"]
    response = staff_client.patch(f"/waste/organizations/{organization.pk}", {"waste": {"glass": {"limit": 20}}})
    assert response.status_code == 400
    assert response.json()["type"] == "glass"
    assert OrganizationWaste.objects.get().limit == 50


def test_delete_organization_keeps_the_history(staff_client, small):
    organization = small.organizations["ОО"]
    TransferFactory(organization=organization)
    assert staff_client.delete(f"/waste/organizations/{organization.pk}").status_code == 204
    assert not Organization.objects.filter(pk=organization.pk).exists()
    assert Transfer.objects.get().organization_name == "ОО"
    assert not Route.objects.filter(from_organization_id=organization.pk).exists()


# --- generate / dispose ----------------------------------------------------------------------------


def test_generate_disposes_at_once(staff_client, small):
    organization = small.organizations["ОО"]
    response = staff_client.post(f"/waste/organizations/{organization.pk}/generate", {"plastic": 10, "glass": 50})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(t["storage"]["name"], t["type"], t["amount"], t["distance_m"]) for t in body["transfers"]] == [
        ("B", "glass", 50, 15),
        ("A", "plastic", 4, 10),
    ]
    assert body["transfers"][0]["organization"] == {"id": organization.pk, "name": "ОО"}
    assert body["left"] == {"glass": 0, "plastic": 6}


@pytest.mark.parametrize("size", [2, 60])
def test_generate_query_count_is_constant(staff_client, django_assert_num_queries, size):
    """However large the network and however many rooms take a share: the same statements."""
    storages = {f"S{i:03d}": {"glass": (0, 4), "bio": (0, 4)} for i in range(size)}
    routes = [("ОО", f"S{i:03d}", 1 + i, False) for i in range(size)]
    network = build_network(organizations={"ОО": {"glass": (0, 50), "bio": (0, 50)}}, storages=storages, routes=routes)
    url = f"/waste/organizations/{network.organizations['ОО'].pk}/generate"
    # savepoint, the disposal (one statement: the user checked, organization and rooms locked, the writes), release
    with django_assert_num_queries(3):
        response = staff_client.post(url, {"glass": 7, "bio": 2})
    assert [(t["storage"]["name"], t["type"], t["amount"]) for t in response.json()["transfers"]] == [
        ("S000", "bio", 2),
        ("S000", "glass", 4),
        ("S001", "glass", 3),
    ]
    assert response.json()["left"] == {"bio": 0, "glass": 0}


@pytest.mark.django_db(transaction=True)
def test_generate_outside_a_transaction_is_one_statement(staff_client, django_assert_num_queries):
    """As served (no ATOMIC_REQUESTS): the request is the disposal's statement alone, which checks the user too,
    with no BEGIN or COMMIT around it."""
    network = build_network(
        organizations={"ОО": {"glass": (0, 50)}}, storages={"S": {"glass": (0, 4)}}, routes=[("ОО", "S", 3, False)]
    )
    url = f"/waste/organizations/{network.organizations['ОО'].pk}/generate"
    with django_assert_num_queries(1) as queries:  # the disposal
        response = staff_client.post(url, {"glass": 7})
    assert not any(q["sql"].split()[0].upper() in ("BEGIN", "COMMIT", "SAVEPOINT") for q in queries.captured_queries)
    assert response.json()["left"] == {"glass": 3}
    assert Transfer.objects.get().amount == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plastic": -1}, "plastic"),
        ({"plastic": 2.5}, "plastic"),
        ({"plastic": "many"}, "plastic"),
        ({"metal": 1}, "metal"),
        ({}, "non_field_errors"),
        ({"plastic": 11}, "plastic"),  # past the limit of 10
        ({"bio": 1}, "bio"),  # not produced
    ],
)
def test_generate_bad_input_names_the_type(staff_client, small, body, field):
    organization = small.organizations["ОО"]
    response = staff_client.post(f"/waste/organizations/{organization.pk}/generate", body)
    assert response.status_code == 400
    payload = response.json()
    assert field in payload or payload.get("type") == field
    assert not Transfer.objects.exists()


def test_dispose_moves_stock_waiting_from_before(staff_client):
    network = build_network(
        organizations={"ОО": {"bio": (7, 50)}}, storages={"A": {"bio": (0, 5)}}, routes=[("ОО", "A", 3, False)]
    )
    response = staff_client.post(f"/waste/organizations/{network.organizations['ОО'].pk}/dispose")
    assert response.status_code == 200
    assert response.json()["left"] == {"bio": 2}
    assert [t["amount"] for t in response.json()["transfers"]] == [5]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/waste/organizations", {"name": "x", "waste": {}}),
        ("patch", "/waste/organizations/{org}", {"name": "y"}),
        ("delete", "/waste/organizations/{org}", None),
        ("post", "/waste/organizations/{org}/generate", {"plastic": 1}),
        ("post", "/waste/organizations/{org}/dispose", None),
        ("post", "/waste/storages", {"name": "x", "capacity": {}}),
        ("patch", "/waste/storages/{storage}", {"name": "y"}),
        ("delete", "/waste/storages/{storage}", None),
        ("post", "/waste/storages/{storage}/empty", {}),
        ("post", "/waste/routes", {"from_storage": 1, "to_storage": 2, "distance_m": 1}),
        ("patch", "/waste/routes/{route}", {"distance_m": 3}),
        ("delete", "/waste/routes/{route}", None),
    ],
)
def test_writes_need_a_jwt(api_client, small, method, url, body):
    route = Route.objects.first()
    url = url.format(org=small.organizations["ОО"].pk, storage=small.storages["A"].pk, route=route.pk)
    response = getattr(api_client, method)(url, body)
    assert response.status_code == 401
    assert Organization.objects.count() == 1
    assert Storage.objects.count() == 3
    assert Route.objects.count() == 2


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/waste/organizations/999999"),
        ("patch", "/waste/organizations/999999"),
        ("delete", "/waste/organizations/999999"),
        ("post", "/waste/organizations/999999/generate"),
        ("post", "/waste/organizations/999999/dispose"),
        ("get", "/waste/organizations/999999/storages"),
        ("get", "/waste/storages/999999"),
        ("patch", "/waste/storages/999999"),
        ("delete", "/waste/storages/999999"),
        ("post", "/waste/storages/999999/empty"),
        ("get", "/waste/routes/999999"),
        ("patch", "/waste/routes/999999"),
        ("delete", "/waste/routes/999999"),
    ],
)
def test_unknown_ids_are_404(staff_client, method, url):
    response = getattr(staff_client, method)(url, {"plastic": 1} if "generate" in url else {})
    assert response.status_code == 404
    assert response.json()["code"].endswith("_not_found")


@pytest.mark.parametrize("body", [{"plastic": -1}, {}, "{not json"], ids=["bad amount", "empty", "not JSON"])
def test_an_unknown_organization_is_a_404_before_a_bad_body(staff_client, body):
    if isinstance(body, str):
        response = staff_client.generic("POST", "/waste/organizations/999999/generate", body, "application/json")
    else:
        response = staff_client.post("/waste/organizations/999999/generate", body)
    assert response.status_code == 404
    assert response.json()["code"] == "organization_not_found"


def test_a_bad_body_for_a_known_organization_is_a_400(staff_client, small):
    response = staff_client.generic(
        "POST", f"/waste/organizations/{small.organizations['ОО'].pk}/generate", "{not json", "application/json"
    )
    assert response.status_code == 400


# --- what an organization sees -----------------------------------------------------------------------


def test_organization_storages_nearest_first_unreachable_last(api_client, small):
    organization = small.organizations["ОО"]
    response = api_client.get(f"/waste/organizations/{organization.pk}/storages")
    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "items": [
            {
                "storage": {"id": small.storages["A"].pk, "name": "A"},
                "distance_m": 10,
                "path": ["ОО", "A"],
                "path_ids": [small.storages["A"].pk],
                "room": {
                    "bio": {"capacity": 100, "stored": 0, "free": 100},
                    "plastic": {"capacity": 4, "stored": 0, "free": 4},
                },
            },
            {
                "storage": {"id": small.storages["B"].pk, "name": "B"},
                "distance_m": 15,
                "path": ["ОО", "A", "B"],
                "path_ids": [small.storages["A"].pk, small.storages["B"].pk],
                "room": {"glass": {"capacity": 300, "stored": 0, "free": 300}},
            },
            {
                "storage": {"id": small.storages["lonely"].pk, "name": "lonely"},
                "distance_m": None,
                "path": None,
                "path_ids": None,
                "room": {"glass": {"capacity": 9, "stored": 0, "free": 9}},
            },
        ],
    }


@pytest.mark.parametrize("size", [3, 40])
def test_organization_storages_query_count_is_constant(api_client, django_assert_num_queries, size):
    storages = {f"S{i:03d}": {"glass": (0, 10), "bio": (1, 10)} for i in range(size)}
    routes = [("ОО", "S000", 1, False)] + [(f"S{i - 1:03d}", f"S{i:03d}", 1, False) for i in range(1, size)]
    network = build_network(organizations={"ОО": {"glass": (0, 1)}}, storages=storages, routes=routes)
    with django_assert_num_queries(5):  # organization, count, page, rooms, path names
        response = api_client.get(f"/waste/organizations/{network.organizations['ОО'].pk}/storages?limit=100")
    assert len(response.json()["items"]) == size
    assert response.json()["items"][-1]["distance_m"] == size
