"""Property: on random small networks, random generate / dispose / empty / route calls follow the disposal rules.

The network is built through the services (so distances are the incrementally recomputed ones), routes are
added and deleted between the calls, and the services are called directly against the real PostgreSQL.
A Python model, with its own shortest paths (Floyd-Warshall on the directed routes), checks after every call:
- no room ever holds more than its capacity, and waste only goes to rooms equipped for its type;
- each transfer goes to the nearest storage (shortest directed path; ties: name, then id) that has room for
  that type at that moment, and takes min(stock, free room);
- waste stays undisposed only when no reachable storage equipped for it has room;
- generated == undisposed stock + stored + recycled (emptied), and a rejected call changes nothing.
Each example runs in a savepoint that is rolled back.
"""

from dataclasses import dataclass, field
from itertools import combinations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from waste.exceptions import WasteLimitExceededError, WasteTypeNotEquippedError, WasteTypeNotProducedError
from waste.models import WASTE_TYPES, Organization, OrganizationWaste, Route, Storage, StorageRoom, Transfer
from waste.services import (
    organization_create,
    organization_dispose,
    organization_generate,
    route_create,
    route_delete,
    storage_create,
    storage_empty,
)

# Case and accents make the name order (code points) differ from the creation (id) order.
STORAGE_NAMES = ["A", "a", "B", "b", "Ä", "ab", "Ab", "z", "Z"]
INFINITY = float("inf")

capacities = st.dictionaries(st.sampled_from(WASTE_TYPES), st.integers(1, 12), min_size=1, max_size=3)
limits = st.dictionaries(st.sampled_from(WASTE_TYPES), st.integers(5, 40), min_size=1, max_size=3)
metres = st.integers(1, 4)  # short, so that equal distances (ties) are common


@dataclass
class NetworkSpec:
    organizations: list[dict[str, int]]  # per organization: type -> limit
    storages: list[tuple[str, dict[str, int]]]  # (name, type -> capacity), in creation order
    # (from organization index | None, from storage index | None, to storage index, metres, two_way)
    routes: list[tuple[int | None, int | None, int, int, bool]]
    built: int | None = None  # how many of `routes` exist before the calls (None: all); "add route" adds the next


@st.composite
def networks(draw) -> NetworkSpec:
    organizations = draw(st.lists(limits, min_size=1, max_size=3))
    names = draw(st.lists(st.sampled_from(STORAGE_NAMES), min_size=1, max_size=5, unique=True))
    storages = [(name, draw(capacities)) for name in names]
    routes = []
    for org in range(len(organizations)):
        for target in range(len(storages)):
            if draw(st.integers(0, 3)):  # 3 in 4 pairs have a direct road
                routes.append((org, None, target, draw(metres), False))
    for first, second in combinations(range(len(storages)), 2):
        kind = draw(st.sampled_from(["none", "forward", "backward", "both ways", "two-way"]))
        if kind in ("forward", "both ways"):
            routes.append((None, first, second, draw(metres), False))
        if kind in ("backward", "both ways"):
            routes.append((None, second, first, draw(metres), False))
        if kind == "two-way":
            ends = (first, second) if draw(st.booleans()) else (second, first)
            routes.append((None, *ends, draw(metres), True))
    routes = draw(st.permutations(routes))
    return NetworkSpec(organizations, storages, routes, built=draw(st.integers(0, len(routes))))


@st.composite
def generate_calls(draw, spec: NetworkSpec) -> tuple:
    """Mostly valid amounts of the types the organization produces; sometimes past its limit or of another type."""
    index = draw(st.integers(0, len(spec.organizations) - 1))
    produced = spec.organizations[index]
    amounts = draw(st.dictionaries(st.sampled_from(sorted(produced)), st.integers(0, 12), min_size=1))
    mistake = draw(st.sampled_from([None] * 8 + ["not produced", "past the limit"]))
    if mistake == "not produced" and len(produced) < len(WASTE_TYPES):
        amounts[draw(st.sampled_from([t for t in WASTE_TYPES if t not in produced]))] = 1
    elif mistake == "past the limit":
        waste_type = draw(st.sampled_from(sorted(produced)))
        amounts[waste_type] = produced[waste_type] + 1
    return ("generate", index, amounts)


@st.composite
def scenarios(draw) -> tuple[NetworkSpec, list[tuple]]:
    spec = draw(networks())
    organization = st.integers(0, len(spec.organizations) - 1)
    storage = st.integers(0, len(spec.storages) - 1)
    operation = st.one_of(
        generate_calls(spec),
        st.tuples(st.just("dispose"), organization),
        st.tuples(
            st.just("empty"),
            storage,
            st.one_of(st.none(), st.lists(st.sampled_from(WASTE_TYPES), unique=True, max_size=3)),
        ),
        # A new road dispatches pending waste along it; a removed one changes paths (only shorter ones are
        # taken from then on). The index picks one of the roads existing at that moment.
        st.tuples(st.just("add route"), st.just(0)),
        st.tuples(st.just("delete route"), st.integers(0, max(len(spec.routes) - 1, 0))),
    )
    return spec, draw(st.lists(operation, max_size=12))


def shortest_distances(spec: NetworkSpec, routes: list[int]) -> list[list[float]]:
    """distance[organization][storage] over these routes of the spec (Floyd-Warshall); inf when unreachable."""
    storages = len(spec.storages)
    between = [[0 if i == j else INFINITY for j in range(storages)] for i in range(storages)]
    direct = [[INFINITY] * storages for _ in spec.organizations]
    for org, source, target, distance, two_way in (spec.routes[index] for index in routes):
        if org is not None:
            direct[org][target] = min(direct[org][target], distance)
        else:
            between[source][target] = min(between[source][target], distance)
            if two_way:
                between[target][source] = min(between[target][source], distance)
    for via in range(storages):
        for i in range(storages):
            for j in range(storages):
                between[i][j] = min(between[i][j], between[i][via] + between[via][j])
    return [
        [min(direct[org][first] + between[first][target] for first in range(storages)) for target in range(storages)]
        for org in range(len(spec.organizations))
    ]


@dataclass
class Model:
    """What the database should hold, by ids: the expected state the services are checked against."""

    distance: dict[tuple[int, int], float]  # (organization id, storage id) -> metres
    name: dict[int, str]  # storage id -> name
    limit: dict[tuple[int, str], int]  # (organization id, type) -> limit
    capacity: dict[tuple[int, str], int]  # (storage id, type) -> capacity
    stock: dict[tuple[int, str], int] = field(default_factory=dict)
    stored: dict[tuple[int, str], int] = field(default_factory=dict)
    generated: int = 0
    recycled: int = 0

    def nearest_with_room(self, organization_id: int, waste_type: str) -> list[int]:
        """Storage ids equipped for the type, reachable and with room, nearest first (then name, then id)."""
        candidates = [
            (self.distance[(organization_id, storage_id)], self.name[storage_id], storage_id)
            for (storage_id, room_type), capacity in self.capacity.items()
            if room_type == waste_type
            and self.stored[(storage_id, room_type)] < capacity
            and self.distance[(organization_id, storage_id)] < INFINITY
        ]
        return [storage_id for *_, storage_id in sorted(candidates)]

    def apply_transfers(self, transfers: list[Transfer]) -> None:
        """Replay the transfers in the order they were planned, checking each against the state at that moment."""
        for transfer in transfers:
            key = (transfer.organization_id, transfer.waste_type)
            room = (transfer.storage_id, transfer.waste_type)
            assert room in self.capacity, f"{transfer} went to a storage not equipped for {transfer.waste_type}"
            nearest = self.nearest_with_room(*key)
            assert nearest, f"{transfer}: no reachable storage had room"
            assert transfer.storage_id == nearest[0], f"{transfer}: the nearest with room was {nearest[0]}"
            assert transfer.distance_m == self.distance[(transfer.organization_id, transfer.storage_id)]
            assert transfer.storage_name == self.name[transfer.storage_id]
            free = self.capacity[room] - self.stored[room]
            assert transfer.amount == min(self.stock[key], free) > 0
            self.stock[key] -= transfer.amount
            self.stored[room] += transfer.amount

    def generate_error(self, organization_id: int, amounts: dict[str, int]) -> type[Exception] | None:
        for waste_type, amount in amounts.items():
            key = (organization_id, waste_type)
            if key not in self.limit:
                return WasteTypeNotProducedError
            if self.stock[key] + amount > self.limit[key]:
                return WasteLimitExceededError
        return None

    def left(self, organization_id: int) -> dict[str, int]:
        return {t: self.stock[(organization_id, t)] for t in WASTE_TYPES if (organization_id, t) in self.limit}

    def assert_matches_database(self) -> None:
        rooms = {(r.storage_id, r.waste_type): (r.stored, r.capacity) for r in StorageRoom.objects.all()}
        assert rooms == {room: (self.stored[room], capacity) for room, capacity in self.capacity.items()}
        assert all(stored <= capacity for stored, capacity in rooms.values())
        stocks = dict(((w.organization_id, w.waste_type), w.stock) for w in OrganizationWaste.objects.all())
        assert stocks == self.stock
        assert all(stock <= self.limit[key] for key, stock in stocks.items())
        assert set(Transfer.objects.values_list("storage_id", "waste_type")) <= set(self.capacity)
        # Undisposed waste only where no reachable storage equipped for it has room.
        for (organization_id, waste_type), stock in self.stock.items():
            if stock:
                assert not self.nearest_with_room(organization_id, waste_type), (organization_id, waste_type)
        assert self.generated == sum(self.stock.values()) + sum(self.stored.values()) + self.recycled


@dataclass
class World:
    """The sites and routes created through the services for one example, and the model they are checked by."""

    spec: NetworkSpec
    organizations: list[Organization]
    storages: list[Storage]
    routes: dict[int, Route]  # spec route index -> the existing route
    model: Model

    @classmethod
    def build(cls, spec: NetworkSpec) -> "World":
        organizations = [
            organization_create(name=f"org {index}", limits=org_limits)
            for index, org_limits in enumerate(spec.organizations)
        ]
        storages = []
        for name, capacity in spec.storages:
            storage, transfers = storage_create(name=name, capacity=capacity)
            assert transfers == []
            storages.append(storage)
        model = Model(
            distance={},
            name={storage.pk: storage.name for storage in storages},
            limit={
                (organization.pk, waste_type): limit
                for organization, org_limits in zip(organizations, spec.organizations, strict=True)
                for waste_type, limit in org_limits.items()
            },
            capacity={
                (storage.pk, waste_type): amount
                for storage, (_, capacity) in zip(storages, spec.storages, strict=True)
                for waste_type, amount in capacity.items()
            },
        )
        model.stock = dict.fromkeys(model.limit, 0)
        model.stored = dict.fromkeys(model.capacity, 0)
        world = cls(spec, organizations, storages, {}, model)
        world.recompute_distances()
        built = len(spec.routes) if spec.built is None else spec.built
        for _ in range(built):
            world.add_route()
        return world

    def next_route(self) -> int | None:
        created = max(self.routes, default=-1)
        return created + 1 if created + 1 < len(self.spec.routes) else None

    def add_route(self) -> None:
        index = self.next_route()
        if index is None:
            return
        org, source, target, distance, two_way = self.spec.routes[index]
        route, transfers = route_create(
            from_organization=self.organizations[org] if org is not None else None,
            from_storage=self.storages[source] if source is not None else None,
            to_storage=self.storages[target],
            distance_m=distance,
            two_way=two_way,
        )
        self.routes[index] = route
        self.recompute_distances()
        self.model.apply_transfers(transfers)

    def delete_route(self, which: int) -> None:
        if not self.routes:
            return
        index = sorted(self.routes)[which % len(self.routes)]
        route_delete(route=self.routes.pop(index))
        self.recompute_distances()

    def recompute_distances(self) -> None:
        distances = shortest_distances(self.spec, sorted(self.routes))
        self.model.distance = {
            (organization.pk, storage.pk): distances[o][s]
            for o, organization in enumerate(self.organizations)
            for s, storage in enumerate(self.storages)
        }

    def run(self, operation: tuple) -> None:
        kind, index, *arguments = operation
        model = self.model
        if kind == "generate":
            organization, amounts = self.organizations[index], arguments[0]
            error = model.generate_error(organization.pk, amounts)
            if error is not None:
                with pytest.raises(error):
                    organization_generate(organization=organization, amounts=amounts)
                return
            for waste_type, amount in amounts.items():
                model.stock[(organization.pk, waste_type)] += amount
                model.generated += amount
            result = organization_generate(organization=organization, amounts=amounts)
            model.apply_transfers(result.transfers)
            assert result.left == model.left(organization.pk)
        elif kind == "dispose":
            organization = self.organizations[index]
            result = organization_dispose(organization=organization)
            model.apply_transfers(result.transfers)
            assert result.left == model.left(organization.pk)
        elif kind == "empty":
            storage, waste_types = self.storages[index], arguments[0]
            equipped = {t for (storage_id, t) in model.capacity if storage_id == storage.pk}
            if any(t not in equipped for t in waste_types or []):
                with pytest.raises(WasteTypeNotEquippedError):
                    storage_empty(storage=storage, waste_types=waste_types)
                return
            for waste_type in equipped if waste_types is None else waste_types:
                model.recycled += model.stored[(storage.pk, waste_type)]
                model.stored[(storage.pk, waste_type)] = 0
            _storage, transfers = storage_empty(storage=storage, waste_types=waste_types)
            model.apply_transfers(transfers)
        elif kind == "add route":
            self.add_route()
        else:
            self.delete_route(index)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
# Equal distances: by name in code-point order ("B" < "a" < "b"), not by creation (id) order.
@example(
    scenario=(
        NetworkSpec(
            organizations=[{"plastic": 20}],
            storages=[("b", {"plastic": 5}), ("a", {"plastic": 5}), ("B", {"plastic": 5})],
            routes=[(0, None, 0, 2, False), (0, None, 1, 2, False), (0, None, 2, 2, False)],
        ),
        [("generate", 0, {"plastic": 12})],
    )
)
# y (1 m) first, then x at 2 m through the two-way route y->x taken backwards (the direct road is 5 m);
# z has room but no road leads to it, so 3 stay; emptying y takes them.
@example(
    scenario=(
        NetworkSpec(
            organizations=[{"glass": 10}],
            storages=[("x", {"glass": 4}), ("y", {"glass": 3}), ("z", {"glass": 100})],
            routes=[(0, None, 1, 1, False), (None, 0, 1, 1, True), (0, None, 0, 5, False), (None, 2, 0, 1, False)],
        ),
        [("generate", 0, {"glass": 10}), ("dispose", 0), ("empty", 1, None), ("dispose", 0)],
    )
)
# No road yet: the waste waits. org->y dispatches 4 to y, y->x the other 6 to x (6 m); org->x (1 m) then makes
# x the nearest; deleting y->x keeps x reachable, deleting org->x too leaves only y.
@example(
    scenario=(
        NetworkSpec(
            organizations=[{"bio": 30}],
            storages=[("x", {"bio": 20}), ("y", {"bio": 4})],
            routes=[(0, None, 1, 3, False), (None, 1, 0, 3, False), (0, None, 0, 1, False)],
            built=0,
        ),
        [
            ("generate", 0, {"bio": 10}),
            ("add route", 0),
            ("add route", 0),
            ("add route", 0),
            ("empty", 1, ["bio"]),
            ("generate", 0, {"bio": 12}),
            ("delete route", 1),
            ("generate", 0, {"bio": 1}),
            ("delete route", 1),
            ("empty", 1, None),
            ("generate", 0, {"bio": 5}),
        ],
    )
)
def test_waste_goes_to_the_nearest_equipped_storage_with_room(scenario):
    network, ops = scenario
    with transaction.atomic():
        world = World.build(network)
        world.model.assert_matches_database()
        for operation in ops:
            world.run(operation)
            world.model.assert_matches_database()
        transaction.set_rollback(True)
