"""Shortest paths (pure) and the materialized distance table, kept in step with every network change."""

import pytest

from tests.waste.conftest import build_network
from waste.exceptions import OrganizationNotFoundError, RouteInvalidError, RouteNotFoundError, StorageNotFoundError
from waste.models import Distance, Route, Storage
from waste.services import (
    organization_delete,
    organization_generate,
    route_create,
    route_delete,
    route_update,
    storage_delete,
    storage_update,
)
from waste.shortest_paths import RouteEdge, shortest_paths


def paths(routes, organizations=(1,), storages=(10, 11, 12, 13)):
    edges = [RouteEdge(o, s, t, d, w) for o, s, t, d, w in routes]
    found = shortest_paths(organization_ids=organizations, storage_ids=storages, routes=edges)
    return {(p.organization_id, p.storage_id): (p.distance_m, p.path) for p in found}


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ([], {}),
        ([(1, None, 10, 5, False)], {(1, 10): (5, "10")}),
        (
            [(1, None, 10, 5, False), (None, 10, 11, 7, False), (None, 12, 10, 1, False)],
            {(1, 10): (5, "10"), (1, 11): (12, "10,11")},
        ),
        (
            [(1, None, 10, 5, False), (None, 11, 10, 7, True)],
            {(1, 10): (5, "10"), (1, 11): (12, "10,11")},
        ),
        (
            [(1, None, 10, 100, False), (1, None, 11, 10, False), (None, 11, 10, 20, False)],
            {(1, 11): (10, "11"), (1, 10): (30, "11,10")},
        ),
        (
            [(1, None, 10, 9, False), (None, 10, 11, 50, False), (None, 11, 10, 3, False), (None, 10, 11, 4, True)],
            {(1, 10): (9, "10"), (1, 11): (13, "10,11")},
        ),
        ([(2, None, 10, 5, False)], {(2, 10): (5, "10")}),
    ],
    ids=["no routes", "direct", "through a storage, one-way", "two-way", "shorter via", "parallel: min", "other org"],
)
def test_shortest_paths(routes, expected):
    assert paths(routes, organizations=(1, 2)) == expected


def table() -> dict[tuple[str, str], tuple[int, list[str]]]:
    names = dict(Storage.objects.values_list("id", "name"))
    return {
        (d.organization.name, d.storage.name): (d.distance_m, [names[i] for i in d.path])
        for d in Distance.objects.select_related("organization", "storage")
    }


def line():
    """ОО → A → B → C, plus a detour ОО → C of 100 m."""
    return build_network(
        organizations={"ОО": {"plastic": (0, 10)}, "other": {}},
        storages={"A": {}, "B": {}, "C": {}},
        routes=[("ОО", "A", 10, False), ("A", "B", 10, False), ("B", "C", 10, False), ("ОО", "C", 100, False)],
    )


@pytest.mark.django_db
def test_the_table_holds_every_reachable_pair_with_its_path():
    line()
    assert table() == {
        ("ОО", "A"): (10, ["A"]),
        ("ОО", "B"): (20, ["A", "B"]),
        ("ОО", "C"): (30, ["A", "B", "C"]),
    }


@pytest.mark.django_db
def test_deleting_a_route_reroutes_in_the_same_transaction():
    network = line()
    route_delete(route=Route.objects.get(from_storage=network.storages["A"], to_storage=network.storages["B"]))
    assert table() == {("ОО", "A"): (10, ["A"]), ("ОО", "C"): (100, ["C"])}


@pytest.mark.django_db
def test_updating_a_route_changes_distances():
    network = line()
    route = Route.objects.get(from_organization=network.organizations["ОО"], to_storage=network.storages["C"])
    route_update(route=route, distance_m=25)
    assert table()[("ОО", "C")] == (25, ["C"])


@pytest.mark.django_db
def test_making_a_route_two_way_opens_the_way_back():
    network = line()
    route = Route.objects.get(from_storage=network.storages["B"], to_storage=network.storages["C"])
    route_create(from_organization=network.organizations["other"], to_storage=network.storages["C"], distance_m=5)
    assert ("other", "B") not in table()
    route_update(route=route, two_way=True)
    assert table()[("other", "B")] == (15, ["C", "B"])


@pytest.mark.django_db
def test_deleting_a_storage_recomputes_paths_through_it():
    network = line()
    storage_delete(storage=network.storages["B"])
    assert table() == {("ОО", "A"): (10, ["A"]), ("ОО", "C"): (100, ["C"])}


@pytest.mark.django_db
def test_deleting_an_organization_drops_its_rows_only():
    network = line()
    organization_delete(organization=network.organizations["ОО"])
    assert table() == {}
    assert Route.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": "A", "target": "A"}, "to_storage"),
        ({"source": "A", "target": "B"}, "to_storage"),  # duplicate of A → B
        ({"source": "ОО", "target": "A"}, "to_storage"),  # duplicate of ОО → A
        ({"source": "ОО", "target": "B", "two_way": True}, "two_way"),
        ({"source": "B", "target": "A", "two_way": True}, "two_way"),  # A → B exists
        ({"source": "A", "target": "B", "distance_m": 0}, "distance_m"),
    ],
    ids=[
        "self-loop",
        "duplicate",
        "duplicate from organization",
        "two-way from organization",
        "two-way over one-way",
        "zero distance",
    ],
)
def test_invalid_routes_are_refused(kwargs, field):
    network = line()
    source = network.site(kwargs["source"])
    with pytest.raises(RouteInvalidError) as raised:
        route_create(
            **({"from_organization": source} if kwargs["source"] == "ОО" else {"from_storage": source}),
            to_storage=network.storages[kwargs["target"]],
            distance_m=kwargs.get("distance_m", 5),
            two_way=kwargs.get("two_way", False),
        )
    assert raised.value.context["field"] == field
    assert Route.objects.count() == 4


@pytest.mark.django_db
def test_the_reverse_of_a_two_way_route_is_a_duplicate_but_of_a_one_way_route_is_not():
    network = line()
    route_create(from_storage=network.storages["B"], to_storage=network.storages["A"], distance_m=3)
    assert table()[("ОО", "A")] == (10, ["A"])
    route_create(from_storage=network.storages["C"], to_storage=network.storages["A"], distance_m=3, two_way=True)
    with pytest.raises(RouteInvalidError):
        route_create(from_storage=network.storages["A"], to_storage=network.storages["C"], distance_m=3)


@pytest.mark.django_db
def test_a_site_or_route_deleted_by_a_concurrent_request_is_not_found_not_recreated():
    network = line()
    route = Route.objects.get(from_storage=network.storages["A"], to_storage=network.storages["B"])
    storage, organization = network.storages["C"], network.organizations["ОО"]
    Route.objects.filter(pk=route.pk).delete()
    Storage.objects.filter(pk=storage.pk).delete()
    with pytest.raises(RouteNotFoundError):
        route_update(route=route, distance_m=3)
    with pytest.raises(StorageNotFoundError):
        storage_update(storage=storage, name="C again")
    with pytest.raises(RouteInvalidError) as raised:
        route_create(from_organization=organization, to_storage=storage, distance_m=3)
    assert raised.value.context["field"] == "to_storage"
    organization_delete(organization=organization)
    with pytest.raises(OrganizationNotFoundError):
        organization_generate(organization=organization, amounts={"plastic": 1})
    assert not Storage.objects.filter(pk=storage.pk).exists()
