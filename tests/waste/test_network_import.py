"""Importing and exporting a whole network: all or nothing, names checked, distances computed, statistics fresh."""

import pytest
from django.db import connection

from tests.waste.conftest import build_network
from waste.models import Distance, Organization, Route, Storage
from waste.services import network_import

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "organizations": [{"name": "ОО", "waste": {"plastic": {"limit": 10, "stock": 4}, "glass": {"limit": 5}}}],
    "storages": [{"name": "A", "capacity": {"plastic": 7}}, {"name": "B", "capacity": {"glass": 9, "bio": 1}}],
    "routes": [
        {"from": "ОО", "to": "A", "distance_m": 10},
        {"from": "A", "to": "B", "distance_m": 5, "two_way": True},
    ],
}


def test_import_answers_the_counts_and_export_round_trips(staff_client):
    response = staff_client.post("/waste/network/import", DOCUMENT)
    assert response.status_code == 201, response.json()
    assert response.json() == {"organizations": 1, "storages": 2, "routes": 2, "distances": 2}
    assert {(d.storage.name, d.distance_m) for d in Distance.objects.select_related("storage")} == {
        ("A", 10),
        ("B", 15),
    }

    exported = staff_client.get("/waste/network/export").json()
    assert [{k: v for k, v in item.items() if k != "id"} for item in exported["routes"]] == [
        {"from": "ОО", "to": "A", "distance_m": 10, "two_way": False},
        {"from": "A", "to": "B", "distance_m": 5, "two_way": True},
    ]
    assert exported["organizations"][0]["waste"] == {
        "glass": {"limit": 5, "stock": 0},
        "plastic": {"limit": 10, "stock": 4},
    }
    Organization.objects.all().delete()
    Storage.objects.all().delete()
    assert staff_client.post("/waste/network/import", exported).status_code == 201  # ids are ignored
    assert staff_client.get("/waste/network/export").json()["routes"][1]["two_way"] is True


@pytest.mark.parametrize(
    ("routes", "index", "named"),
    [
        ([{"from": "nobody", "to": "A", "distance_m": 1}], 0, "nobody"),
        ([{"from": "ОО", "to": "A", "distance_m": 1}, {"from": "ОО", "to": "ghost", "distance_m": 1}], 1, "ghost"),
        ([{"from": "ОО", "to": "A", "distance_m": 1}, {"from": "ОО", "to": "A", "distance_m": 2}], 1, None),
    ],
    ids=["unknown source", "unknown target", "duplicate"],
)
def test_a_bad_route_is_a_400_naming_its_index_and_nothing_is_written(staff_client, routes, index, named):
    response = staff_client.post("/waste/network/import", {**DOCUMENT, "routes": routes})
    assert response.status_code == 400
    assert response.json()["index"] == index
    if named:
        assert response.json()["name"] == named
    assert not Organization.objects.exists()
    assert not Storage.objects.exists()


def test_names_already_in_the_network_are_a_409(staff_client):
    build_network(organizations={}, storages={"A": {}})
    response = staff_client.post("/waste/network/import", DOCUMENT)
    assert response.status_code == 409
    assert response.json()["names"] == ["A"]
    assert Storage.objects.count() == 1


def test_import_is_staff_only(auth_client):
    assert auth_client.post("/waste/network/import", DOCUMENT).status_code == 403


def test_routes_may_join_the_new_sites_to_the_network_already_there():
    existing = build_network(
        organizations={"old": {"glass": (0, 5)}}, storages={"X": {"glass": (0, 5)}}, routes=[("old", "X", 3, False)]
    )
    network_import(data={**DOCUMENT, "routes": [*DOCUMENT["routes"], {"from": "X", "to": "B", "distance_m": 4}]})
    old = existing.organizations["old"]
    assert dict(Distance.objects.filter(organization=old).values_list("storage__name", "distance_m")) == {
        "X": 3,
        "B": 7,
        "A": 12,  # X -> B -> A, B <-> A being two-way
    }
    assert Route.objects.count() == 4


def test_import_refreshes_the_planner_statistics_of_what_it_wrote():
    """Nearest-room lookups are planned from them; autovacuum may not have run (or be off)."""
    network_import(data=DOCUMENT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Distance._meta.db_table])
        (reltuples,) = cursor.fetchone()
    assert reltuples == Distance.objects.count() == 2
