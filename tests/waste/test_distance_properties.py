"""Property: after any sequence of route additions, changes and deletions, the incrementally kept distance table
holds exactly the distances of a full recompute, and every path is a shortest path of the tree it belongs to.

Paths may differ from the full recompute's where two paths tie; so each one is checked on its own: it follows
existing directed roads from the organization, its length is the distance, and without its last storage it is
the path of the pair before it (the table is a shortest-path tree per organization).
"""

from itertools import pairwise

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.waste.conftest import build_network
from waste.models import Distance, Organization, Route, Storage
from waste.services import route_create, route_delete, route_update
from waste.services.network import network_edges
from waste.shortest_paths import shortest_paths

STORAGES = [f"S{i}" for i in range(6)]
ORGANIZATIONS = ["O1", "O2", "O3"]
metres = st.integers(1, 6)  # short: ties are common


def ends() -> st.SearchStrategy:
    """(from organization?, from index, to storage index) of a road."""
    from_organization = st.tuples(st.just(True), st.integers(0, len(ORGANIZATIONS) - 1), st.integers(0, 5))
    from_storage = st.tuples(st.just(False), st.integers(0, 5), st.integers(0, 5)).filter(lambda e: e[1] != e[2])
    return st.one_of(from_organization, from_storage)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), ends(), metres, st.booleans()),
        st.tuples(
            st.just("update"), st.integers(0, 50), st.one_of(st.none(), metres), st.one_of(st.none(), st.booleans())
        ),
        st.tuples(st.just("delete"), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=12,
)
starting_roads = st.lists(st.tuples(ends(), metres, st.booleans()), max_size=14)


def assert_table_is_a_full_recompute() -> None:
    edges = network_edges()
    expected = {
        (p.organization_id, p.storage_id): p.distance_m
        for p in shortest_paths(
            organization_ids=Organization.objects.values_list("id", flat=True),
            storage_ids=Storage.objects.values_list("id", flat=True),
            routes=edges,
        )
    }
    rows = {(d.organization_id, d.storage_id): d for d in Distance.objects.all()}
    assert {pair: row.distance_m for pair, row in rows.items()} == expected
    roads: dict[tuple[str, int, int], int] = {}
    for edge in edges:
        source = ("o", edge.from_organization_id) if edge.from_organization_id else ("s", edge.from_storage_id)
        roads[(*source, edge.to_storage_id)] = min(roads.get((*source, edge.to_storage_id), 10**9), edge.distance_m)
        if edge.two_way:
            roads[("s", edge.to_storage_id, edge.from_storage_id)] = min(
                roads.get(("s", edge.to_storage_id, edge.from_storage_id), 10**9), edge.distance_m
            )
    for (organization_id, storage_id), row in rows.items():
        path = list(row.path)
        assert path[-1] == storage_id
        length = roads.get(("o", organization_id, path[0]))
        assert length is not None, f"no road from the organization to {path[0]}"
        for a, b in pairwise(path):
            assert ("s", a, b) in roads, f"no road {a}->{b} on the path {path}"
            length += roads[("s", a, b)]
        assert length == row.distance_m
        if len(path) > 1:
            assert list(rows[(organization_id, path[-2])].path) == path[:-1]


def _road_kwargs(network, road) -> dict:
    (from_organization, source, target) = road
    if from_organization:
        return {
            "from_organization": network.organizations[ORGANIZATIONS[source]],
            "to_storage": network.storages[STORAGES[target]],
        }
    return {"from_storage": network.storages[STORAGES[source]], "to_storage": network.storages[STORAGES[target]]}


def _free(road, two_way: bool) -> bool:
    """No route with these ends (or the reverse of a two-way one) exists yet."""
    from_organization, source, target = road
    if from_organization:
        return not Route.objects.filter(
            from_organization__name=ORGANIZATIONS[source], to_storage__name=STORAGES[target]
        ).exists()
    forward = Route.objects.filter(from_storage__name=STORAGES[source], to_storage__name=STORAGES[target]).exists()
    backward = Route.objects.filter(from_storage__name=STORAGES[target], to_storage__name=STORAGES[source])
    return not forward and not (backward.exists() if two_way else backward.filter(two_way=True).exists())


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(roads=starting_roads, ops=operations)
# Deleting a two-way road that both directions' trees used (S0 <-> S1 from O1 at S0 and O2 at S1).
@example(
    roads=[
        ((True, 0, 0), 1, False),
        ((True, 1, 1), 1, False),
        ((False, 0, 1), 1, True),
        ((False, 1, 2), 1, False),
        ((False, 0, 3), 1, False),
        ((False, 2, 3), 5, False),
    ],
    ops=[("delete", 2), ("create", (False, 1, 0), 2, True), ("update", 6, 6, False), ("update", 6, 1, True)],
)
def test_route_edits_keep_the_table_equal_to_a_full_recompute(roads, ops):
    with transaction.atomic():
        network = build_network(
            organizations={name: {} for name in ORGANIZATIONS}, storages={name: {} for name in STORAGES}
        )
        for road, distance, two_way in roads:
            two_way = two_way and not road[0]
            if _free(road, two_way):
                route_create(**_road_kwargs(network, road), distance_m=distance, two_way=two_way)
        assert_table_is_a_full_recompute()
        for operation in ops:
            routes = list(Route.objects.order_by("id"))
            if operation[0] == "create":
                _, road, distance, two_way = operation
                two_way = two_way and not road[0]
                if _free(road, two_way):
                    route_create(**_road_kwargs(network, road), distance_m=distance, two_way=two_way)
            elif routes and operation[0] == "update":
                _, index, distance, two_way = operation
                route = routes[index % len(routes)]
                if route.from_organization_id is not None:
                    two_way = None
                elif (
                    two_way
                    and Route.objects.filter(
                        from_storage_id=route.to_storage_id, to_storage_id=route.from_storage_id
                    ).exists()
                ):
                    two_way = None  # would duplicate the reverse road
                route_update(route=route, distance_m=distance, two_way=two_way)
            elif routes:
                route_delete(route=routes[operation[1] % len(routes)])
            assert_table_is_a_full_recompute()
        transaction.set_rollback(True)
