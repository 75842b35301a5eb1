"""The allocation service without HTTP: nearest storage first, spill-over, and the rules around it."""

import pytest

from tests.waste.conftest import build_network
from waste import allocation
from waste.exceptions import WasteLimitExceededError, WasteTypeNotProducedError
from waste.models import OrganizationWaste, Route, StorageRoom, Transfer
from waste.services import (
    disposal,
    organization_dispose,
    organization_generate,
    route_create,
    route_update,
    storage_create,
    storage_empty,
    storage_update,
)

pytestmark = pytest.mark.django_db


def moved(result) -> list[tuple[str, str, int, int]]:
    return [(t.storage_name, t.waste_type, t.amount, t.distance_m) for t in result.transfers]


# Each case: organizations {name: {type: (stock, limit)}}, storages {name: {type: (stored, capacity)}},
# routes (from, to, metres, two_way), then what ОО disposes and what it keeps.
CASES = {
    "single storage": (
        {"ОО": {"plastic": (30, 100)}},
        {"A": {"plastic": (0, 100)}},
        [("ОО", "A", 10, False)],
        [("A", "plastic", 30, 10)],
        {"plastic": 0},
    ),
    "spill-over across several, nearest first": (
        {"ОО": {"plastic": (100, 100)}},
        {"far": {"plastic": (0, 100)}, "near": {"plastic": (0, 30)}, "mid": {"plastic": (5, 45)}},
        [("ОО", "far", 300, False), ("ОО", "near", 10, False), ("ОО", "mid", 20, False)],
        [("near", "plastic", 30, 10), ("mid", "plastic", 40, 20), ("far", "plastic", 30, 300)],
        {"plastic": 0},
    ),
    "type not accepted anywhere": (
        {"ОО": {"glass": (20, 50), "bio": (5, 50)}},
        {"A": {"plastic": (0, 100), "bio": (0, 100)}},
        [("ОО", "A", 10, False)],
        [("A", "bio", 5, 10)],
        {"bio": 0, "glass": 20},
    ),
    "full storages are skipped, the rest stays in stock": (
        {"ОО": {"plastic": (50, 100)}},
        {"full": {"plastic": (40, 40)}, "almost": {"plastic": (35, 40)}},
        [("ОО", "full", 5, False), ("ОО", "almost", 10, False)],
        [("almost", "plastic", 5, 10)],
        {"plastic": 45},
    ),
    "unreachable storages get nothing": (
        {"ОО": {"plastic": (20, 100)}},
        {"A": {"plastic": (0, 5)}, "island": {"plastic": (0, 1000)}},
        [("ОО", "A", 10, False)],
        [("A", "plastic", 5, 10)],
        {"plastic": 15},
    ),
    "one-way routes are not walked backwards": (
        {"ОО": {"plastic": (20, 100)}},
        {"A": {"plastic": (0, 0)}, "B": {"plastic": (0, 100)}, "C": {"plastic": (0, 100)}},
        [("ОО", "A", 10, False), ("B", "A", 5, False), ("A", "C", 7, False)],
        [("C", "plastic", 20, 17)],
        {"plastic": 0},
    ),
    "paths run through storages, two-way both directions": (
        {"ОО": {"glass": (50, 50)}},
        {"hub": {"bio": (0, 10)}, "left": {"glass": (0, 30)}, "right": {"glass": (0, 100)}},
        [("ОО", "hub", 100, False), ("left", "hub", 20, True), ("hub", "right", 50, False)],
        [("left", "glass", 30, 120), ("right", "glass", 20, 150)],
        {"glass": 0},
    ),
    "shortest path, not the direct route": (
        {"ОО": {"plastic": (10, 10)}},
        {"A": {"plastic": (0, 5)}, "B": {"plastic": (0, 100)}},
        [("ОО", "A", 10, False), ("ОО", "B", 500, False), ("A", "B", 20, False)],
        [("A", "plastic", 5, 10), ("B", "plastic", 5, 30)],
        {"plastic": 0},
    ),
    "ties in distance go by storage name": (
        {"ОО": {"plastic": (15, 100)}},
        {"МНО-b": {"plastic": (0, 10)}, "МНО-a": {"plastic": (0, 10)}},
        [("ОО", "МНО-b", 10, False), ("ОО", "МНО-a", 10, False)],
        [("МНО-a", "plastic", 10, 10), ("МНО-b", "plastic", 5, 10)],
        {"plastic": 0},
    ),
    "zero stock moves nothing": (
        {"ОО": {"plastic": (0, 100)}},
        {"A": {"plastic": (0, 100)}},
        [("ОО", "A", 10, False)],
        [],
        {"plastic": 0},
    ),
}


@pytest.fixture(params=["nearest rooms", "one room at first", "every room"])
def search(request, monkeypatch):
    """How far a disposal looks before it locks: the default, one room per type at first (so spill-over needs
    wider attempts), or every reachable room from the start."""
    if request.param == "one room at first":
        monkeypatch.setattr(disposal, "NEAREST_ROOMS", 1)
    if request.param == "every room":
        monkeypatch.setattr(disposal, "OPTIMISTIC_ATTEMPTS", 0)
    return request.param


@pytest.mark.parametrize(("organizations", "storages", "routes", "expected", "left"), CASES.values(), ids=CASES)
def test_dispose(organizations, storages, routes, expected, left, search):
    network = build_network(organizations=organizations, storages=storages, routes=routes)
    before = {room.pk: room.stored for room in StorageRoom.objects.all()}

    result = organization_dispose(organization=network.organizations["ОО"])

    assert moved(result) == expected
    assert result.left == left
    stock = dict(OrganizationWaste.objects.values_list("waste_type", "stock"))
    assert stock == left
    for room in StorageRoom.objects.select_related("storage"):
        into = sum(a for name, kind, a, _ in expected if name == room.storage.name and kind == room.waste_type)
        assert room.stored == before[room.pk] + into
    assert Transfer.objects.count() == len(expected)


def test_a_disposal_looks_further_when_the_nearest_rooms_do_not_hold_its_stock(monkeypatch, caplog):
    monkeypatch.setattr(disposal, "NEAREST_ROOMS", 2)
    storages = {f"S{i}": {"glass": (0, 10)} for i in range(6)}
    network = build_network(
        organizations={"ОО": {"glass": (0, 100), "bio": (0, 5)}},
        storages=storages,
        routes=[("ОО", f"S{i}", 10 + i, False) for i in range(6)],
    )
    caplog.set_level("INFO", logger="waste.services.disposal")

    result = organization_generate(organization=network.organizations["ОО"], amounts={"glass": 55, "bio": 5})

    assert [(t.storage_name, t.amount) for t in result.transfers] == [(f"S{i}", 10) for i in range(5)] + [("S5", 5)]
    assert result.left == {"bio": 5, "glass": 0}  # no storage takes bio: looked at once, nothing to look further for
    assert [r.message for r in caplog.records if "more rooms" in r.message] == [
        "disposal needs more rooms than it locked, attempt=1"
    ]
    assert dict(OrganizationWaste.objects.values_list("waste_type", "stock")) == {"bio": 5, "glass": 0}
    assert sorted(StorageRoom.objects.values_list("stored", flat=True)) == [5, 10, 10, 10, 10, 10]


def test_ties_in_distance_and_name_go_by_storage_id():
    rooms = [
        allocation.Room(id=1, storage_id=9, storage_name="same", waste_type="bio", free=10),
        allocation.Room(id=2, storage_id=4, storage_name="same", waste_type="bio", free=10),
    ]
    moves = allocation.plan(stocks={(1, "bio"): 15}, rooms=rooms, distances={(1, 9): 50, (1, 4): 50})
    assert [(m.storage_id, m.amount) for m in moves] == [(4, 10), (9, 5)]


def test_plan_walks_organizations_in_id_order_and_shares_room():
    rooms = [allocation.Room(id=1, storage_id=1, storage_name="A", waste_type="glass", free=10)]
    moves = allocation.plan(stocks={(7, "glass"): 8, (3, "glass"): 8}, rooms=rooms, distances={(3, 1): 5, (7, 1): 1})
    assert [(m.organization_id, m.amount) for m in moves] == [(3, 8), (7, 2)]
    assert rooms[0].free == 0


def test_generate_adds_to_stock_then_disposes():
    network = build_network(
        organizations={"ОО": {"plastic": (0, 10), "glass": (0, 50)}},
        storages={"A": {"plastic": (0, 4)}},
        routes=[("ОО", "A", 10, False)],
    )
    result = organization_generate(organization=network.organizations["ОО"], amounts={"plastic": 10, "glass": 50})
    assert moved(result) == [("A", "plastic", 4, 10)]
    assert result.left == {"glass": 50, "plastic": 6}


@pytest.mark.parametrize(
    ("amounts", "error", "named"),
    [
        ({"plastic": 11}, WasteLimitExceededError, "plastic"),
        ({"plastic": 1, "glass": 51}, WasteLimitExceededError, "glass"),
        ({"bio": 1}, WasteTypeNotProducedError, "bio"),
    ],
)
def test_generate_past_the_limit_or_of_another_type_changes_nothing(amounts, error, named):
    network = build_network(
        organizations={"ОО": {"plastic": (0, 10), "glass": (0, 50)}},
        storages={"A": {"plastic": (0, 100)}},
        routes=[("ОО", "A", 10, False)],
    )
    with pytest.raises(error) as raised:
        organization_generate(organization=network.organizations["ОО"], amounts=amounts)
    assert raised.value.context["type"] == named
    assert set(OrganizationWaste.objects.values_list("stock", flat=True)) == {0}
    assert not Transfer.objects.exists()


def pending_network():
    """Two organizations with plastic waiting: the only storage they reach is full."""
    return build_network(
        organizations={"ОО1": {"plastic": (30, 100)}, "ОО2": {"plastic": (30, 100)}},
        storages={"A": {"plastic": (40, 40), "glass": (5, 10)}, "B": {"plastic": (0, 100)}},
        routes=[("ОО1", "A", 10, False), ("ОО2", "A", 20, False)],
    )


def test_emptying_a_storage_dispatches_pending_waste_in_organization_order():
    network = pending_network()
    _storage, transfers = storage_empty(storage=network.storages["A"], waste_types=["plastic"])
    assert [(t.organization_name, t.storage_name, t.amount) for t in transfers] == [
        ("ОО1", "A", 30),
        ("ОО2", "A", 10),
    ]
    assert dict(OrganizationWaste.objects.values_list("organization__name", "stock")) == {"ОО1": 0, "ОО2": 20}
    assert StorageRoom.objects.get(storage__name="A", waste_type="glass").stored == 5


def test_raising_capacity_dispatches_pending_waste():
    network = pending_network()
    _storage, transfers = storage_update(storage=network.storages["A"], capacity={"plastic": 50, "glass": 10})
    assert [(t.organization_name, t.amount) for t in transfers] == [("ОО1", 10)]


def test_a_new_route_dispatches_pending_waste_along_it():
    network = pending_network()
    route, transfers = route_create(from_storage=network.storages["A"], to_storage=network.storages["B"], distance_m=5)
    assert [(t.organization_name, t.storage_name, t.amount, t.distance_m) for t in transfers] == [
        ("ОО1", "B", 30, 15),
        ("ОО2", "B", 30, 25),
    ]
    assert route.pk


def test_a_new_storage_without_routes_receives_nothing():
    pending_network()
    _storage, transfers = storage_create(name="C", capacity={"plastic": 500})
    assert transfers == []
    assert sum(OrganizationWaste.objects.values_list("stock", flat=True)) == 60


def test_making_a_route_two_way_dispatches_pending_waste_the_other_way():
    network = build_network(
        organizations={"ОО": {"bio": (12, 50)}},
        storages={"A": {"bio": (0, 0)}, "B": {"bio": (0, 100)}},
        routes=[("ОО", "A", 10, False), ("B", "A", 4, False)],
    )
    route = Route.objects.get(from_storage=network.storages["B"])
    _route, transfers = route_update(route=route, two_way=True)
    assert [(t.storage_name, t.amount, t.distance_m) for t in transfers] == [("B", 12, 14)]
