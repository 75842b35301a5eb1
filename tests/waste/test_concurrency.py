"""Concurrent disposals against the real database: no overfill, nothing lost or duplicated, no deadlock."""

import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from tests.conftest import errors_of_concurrent
from tests.waste.conftest import build_network
from waste.models import Distance, Organization, OrganizationWaste, StorageRoom, Transfer
from waste.services import disposal, organization_dispose, organization_generate, route_create, storage_empty
from waste.services.network import network_edges
from waste.shortest_paths import shortest_paths

THREADS = 20


def contested_network():
    """Three organizations all reaching three small storages, in different distance orders (so their
    disposals touch the rooms in different orders: only a fixed lock order avoids deadlocks)."""
    return build_network(
        organizations={name: {"plastic": (0, 10_000), "glass": (0, 10_000)} for name in ("O1", "O2", "O3")},
        storages={
            "S1": {"plastic": (0, 40), "glass": (0, 30)},
            "S2": {"plastic": (0, 55), "glass": (0, 25)},
            "S3": {"plastic": (0, 70)},
        },
        routes=[
            ("O1", "S1", 10, False),
            ("O1", "S2", 20, False),
            ("O1", "S3", 30, False),
            ("O2", "S3", 10, False),
            ("O2", "S2", 20, False),
            ("O2", "S1", 30, False),
            ("O3", "S2", 10, False),
            ("O3", "S3", 15, False),
            ("S2", "S3", 3, True),
            ("S3", "S1", 5, False),
        ],
    )


def totals() -> tuple[int, int, int]:
    transferred = Transfer.objects.aggregate(total=Sum("amount"))["total"] or 0
    stock = OrganizationWaste.objects.aggregate(total=Sum("stock"))["total"] or 0
    stored = StorageRoom.objects.aggregate(total=Sum("stored"))["total"] or 0
    return transferred, stock, stored


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("optimistic_attempts", "nearest_rooms"),
    [(disposal.OPTIMISTIC_ATTEMPTS, disposal.NEAREST_ROOMS), (disposal.OPTIMISTIC_ATTEMPTS, 1), (0, 1)],
    ids=["optimistic", "one room at first", "locking"],
)
def test_concurrent_generate_and_dispose_never_overfill_or_lose_waste(monkeypatch, optimistic_attempts, nearest_rooms):
    monkeypatch.setattr(disposal, "OPTIMISTIC_ATTEMPTS", optimistic_attempts)
    monkeypatch.setattr(disposal, "NEAREST_ROOMS", nearest_rooms)
    network = contested_network()
    organizations = list(network.organizations.values())
    generated: list[int] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        rng = random.Random(index)
        organization = organizations[index % len(organizations)]
        for _ in range(5):
            if index % 5 == 4:
                organization_dispose(organization=organization)
                continue
            amounts = {"plastic": rng.randint(1, 9), "glass": rng.randint(0, 4)}
            organization_generate(organization=organization, amounts=amounts)
            with lock:
                generated.append(sum(amounts.values()))

    errors = errors_of_concurrent(work, THREADS, timeout=60)

    assert errors == []
    for room in StorageRoom.objects.all():
        assert 0 <= room.stored <= room.capacity
    transferred, stock, stored = totals()
    assert transferred + stock == sum(generated)
    assert stored == transferred
    # More was generated than fits: every storage is full, the rest waits in stock.
    assert sum(generated) > 220
    assert all(room.stored == room.capacity for room in StorageRoom.objects.all())
    for room in StorageRoom.objects.all():
        into = Transfer.objects.filter(storage_id=room.storage_id, waste_type=room.waste_type).aggregate(
            t=Sum("amount")
        )
        assert into["t"] == room.stored


@pytest.mark.django_db(transaction=True)
def test_disposals_racing_with_recycling_stay_consistent():
    network = contested_network()
    organizations = list(network.organizations.values())
    storages = list(network.storages.values())
    generated: list[int] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        for step in range(4):
            if index % 4 == 0:
                storage_empty(storage=storages[(index + step) % len(storages)])
                continue
            organization_generate(organization=organizations[index % 3], amounts={"plastic": 6, "glass": 2})
            with lock:
                generated.append(8)

    errors = errors_of_concurrent(work, THREADS, timeout=60)

    assert errors == []
    for room in StorageRoom.objects.all():
        assert 0 <= room.stored <= room.capacity
    transferred, stock, _stored = totals()
    assert transferred + stock == sum(generated)
    # Pending waste is dispatched whenever room appears, so stock waits only while everything is full.
    if stock:
        pending_types = set(OrganizationWaste.objects.filter(stock__gt=0).values_list("waste_type", flat=True))
        assert all(room.stored == room.capacity for room in StorageRoom.objects.filter(waste_type__in=pending_types))
    assert Organization.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_route_edits_leave_the_exact_distance_table():
    """Each edit recomputes under the exclusive network lock, so interleaved edits cannot leave stale rows."""
    names = [f"S{i}" for i in range(THREADS + 1)]
    network = build_network(
        organizations={"O1": {"plastic": (0, 10)}, "O2": {"plastic": (0, 10)}},
        storages={name: {} for name in names},
        routes=[("O1", "S0", 100, False), ("O2", f"S{THREADS}", 7, False)],
    )
    storages = [network.storages[name] for name in names]
    rng = random.Random(8)
    lengths = [rng.randint(1, 50) for _ in range(THREADS)]

    def work(index: int) -> None:
        # A chain S0 → S1 → … → S20, its links added in a random order from 20 threads, some two-way.
        route_create(
            from_storage=storages[index],
            to_storage=storages[index + 1],
            distance_m=lengths[index],
            two_way=index % 3 == 0,
        )

    errors = errors_of_concurrent(work, THREADS, timeout=60)

    assert errors == []
    expected = {
        (p.organization_id, p.storage_id): (p.distance_m, p.path)
        for p in shortest_paths(
            organization_ids=[o.pk for o in network.organizations.values()],
            storage_ids=[s.pk for s in storages],
            routes=network_edges(),
        )
    }
    found = {
        (d.organization_id, d.storage_id): (d.distance_m, ",".join(map(str, d.path))) for d in Distance.objects.all()
    }
    assert found == expected
    assert found[(network.organizations["O1"].pk, storages[-1].pk)][0] == 100 + sum(lengths)


@pytest.mark.django_db(transaction=True)
def test_a_room_emptied_while_a_disposal_waits_for_it_is_filled_from_its_new_state():
    """The disposal saw the room 20/25 full; recycling emptied it meanwhile and commits while the disposal waits for
    the room's lock: the disposal fills the room from what it holds now (0 + 25), not from what it saw (20 + 25)."""
    network = build_network(
        organizations={"O": {"glass": (0, 100)}},
        storages={"near": {"glass": (20, 25)}, "far": {"glass": (0, 100)}},
        routes=[("O", "near", 1, False), ("O", "far", 5, False)],
    )
    room = StorageRoom.objects.get(storage=network.storages["near"])
    emptied = threading.Event()

    def recycle() -> None:
        with transaction.atomic():
            StorageRoom.objects.filter(pk=room.pk).update(stored=0)
            emptied.set()
            time.sleep(0.5)  # the disposal below takes its snapshot now and then waits for the room
        connection.close()

    recycling = threading.Thread(target=recycle)
    recycling.start()
    emptied.wait(5)
    result = organization_generate(organization=network.organizations["O"], amounts={"glass": 30})
    recycling.join()

    assert [(t.storage_name, t.amount) for t in result.transfers] == [("near", 25), ("far", 5)]
    assert dict(StorageRoom.objects.values_list("storage__name", "stored")) == {"near": 25, "far": 5}
