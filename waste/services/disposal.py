"""Disposal: generate, dispose, and re-dispatch of pending waste when room or a path appears.

No global lock on this path: organizations that share no storage never wait for each other. Lock order,
the same in every transaction (so concurrent requests cannot deadlock):
  1. (network changes only) the network advisory lock, then the site they change (FOR NO KEY UPDATE, so
     a transfer's foreign key to it never waits);
  2. the organizations' waste rows, one statement ordered by pk (a disposal first holds its organization);
  3. storage rooms, written (or locked) in pk order; services that change rooms lock the waiting waste
     rows before touching a room.
A disposal plans from an unlocked read and applies each room's amount with a conditional UPDATE
(`stored + amount <= capacity`). If a concurrent disposal took the room first, the whole attempt rolls
back and is planned again; the last attempt locks every candidate room (pk order) before planning, so
it cannot lose. The check constraint on `StorageRoom` is the last line of defence.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import F

from waste import allocation
from waste.exceptions import WasteLimitExceededError, WasteTypeNotProducedError
from waste.models import WASTE_TYPES, Distance, Organization, OrganizationWaste, Storage, StorageRoom, Transfer
from waste.services.network import lock_site

logger = logging.getLogger(__name__)

OPTIMISTIC_ATTEMPTS = 3
T = TypeVar("T")


class RoomTakenError(Exception):
    """A planned room was filled by a concurrent disposal; the attempt is rolled back and retried."""


@dataclass
class DisposalResult:
    transfers: list[Transfer] = field(default_factory=list)
    left: dict[str, int] = field(default_factory=dict)


def _with_retry(attempt: Callable[[bool], T]) -> T:
    """Run `attempt(lock_rooms)` in its own transaction (a savepoint when nested), retrying lost races."""
    for number in range(OPTIMISTIC_ATTEMPTS + 1):
        lock_rooms = number == OPTIMISTIC_ATTEMPTS
        try:
            with transaction.atomic():
                return attempt(lock_rooms)
        except RoomTakenError:
            logger.info("disposal lost a race for a room, attempt=%s", number + 1)
    raise AssertionError("the locking attempt cannot lose a race")  # pragma: no cover


def _lock_wastes(**filters: object) -> list[OrganizationWaste]:
    return list(
        OrganizationWaste.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(**filters)
        .order_by("pk")
    )


CANDIDATES_SQL = f"""
SELECT r.id, r.storage_id, s.name, r.waste_type, r.capacity - r.stored, d.organization_id, d.distance_m
FROM {Distance._meta.db_table} d
JOIN {StorageRoom._meta.db_table} r ON r.storage_id = d.storage_id
JOIN {Storage._meta.db_table} s ON s.id = d.storage_id
WHERE d.organization_id = ANY(%s) AND r.waste_type = ANY(%s) AND r.stored < r.capacity
"""
# One organization: only the nearest rooms whose free room, added up in disposal order, does not yet cover
# the stock of their type (names compare by code point, as Python's sort in `allocation.plan` does).
NEAREST_CANDIDATES_SQL = f"""
SELECT id, storage_id, name, waste_type, free, organization_id, distance_m FROM (
    SELECT r.id, r.storage_id, s.name, r.waste_type, r.capacity - r.stored AS free, d.organization_id,
           d.distance_m, need.stock,
           COALESCE(SUM(r.capacity - r.stored) OVER (
               PARTITION BY r.waste_type ORDER BY d.distance_m, s.name COLLATE "C", s.id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM {Distance._meta.db_table} d
    JOIN {StorageRoom._meta.db_table} r ON r.storage_id = d.storage_id
    JOIN {Storage._meta.db_table} s ON s.id = d.storage_id
    JOIN unnest(%s::varchar[], %s::bigint[]) AS need (waste_type, stock) ON need.waste_type = r.waste_type
    WHERE d.organization_id = %s AND r.stored < r.capacity
) candidates
WHERE before < stock
"""


def _candidates(*, stocks: dict[tuple[int, str], int], lock_rooms: bool) -> list[tuple]:
    """Rows (room id, storage id, storage name, type, free, organization id, distance) a plan may use."""
    organization_ids = sorted({organization_id for organization_id, _ in stocks})
    with connection.cursor() as cursor:
        if lock_rooms:
            # Rooms are locked in pk order, the one order every transaction uses.
            waste_types = sorted({waste_type for _, waste_type in stocks})
            cursor.execute(CANDIDATES_SQL + "ORDER BY r.id FOR UPDATE OF r", [organization_ids, waste_types])
        elif len(organization_ids) == 1:
            waste_types = list({waste_type for _, waste_type in stocks})
            amounts = [stocks[(organization_ids[0], waste_type)] for waste_type in waste_types]
            cursor.execute(NEAREST_CANDIDATES_SQL, [waste_types, amounts, organization_ids[0]])
        else:
            cursor.execute(CANDIDATES_SQL, [organization_ids, sorted({waste_type for _, waste_type in stocks})])
        return cursor.fetchall()


def dispatch(*, wastes: list[OrganizationWaste], lock_rooms: bool) -> list[Transfer]:
    """Dispose the stock of these (already locked) waste rows; updates them in place."""
    pending = {(waste.organization_id, waste.waste_type): waste for waste in wastes if waste.stock > 0}
    if not pending:
        return []
    stocks = {key: waste.stock for key, waste in pending.items()}
    rooms: dict[int, allocation.Room] = {}
    distances: dict[tuple[int, int], int] = {}
    for room_id, storage_id, name, waste_type, free, organization_id, distance_m in _candidates(
        stocks=stocks, lock_rooms=lock_rooms
    ):
        rooms.setdefault(room_id, allocation.Room(room_id, storage_id, name, waste_type, free))
        distances[(organization_id, storage_id)] = distance_m
    if not rooms:
        return []
    moves = allocation.plan(stocks=stocks, rooms=rooms.values(), distances=distances)
    if not moves:
        return []
    per_room: dict[int, int] = defaultdict(int)
    for move in moves:
        per_room[move.room_id] += move.amount
    for room_id in sorted(per_room):  # pk order: see the module docstring
        amount = per_room[room_id]
        updated = StorageRoom.objects.filter(pk=room_id, stored__lte=F("capacity") - amount).update(
            stored=F("stored") + amount
        )
        if not updated:
            raise RoomTakenError(room_id)
    for move in moves:
        pending[(move.organization_id, move.waste_type)].stock -= move.amount
    OrganizationWaste.objects.bulk_update(list(pending.values()), ["stock"])
    transfers = Transfer.objects.bulk_create(
        Transfer(
            organization_id=move.organization_id,
            organization_name=pending[(move.organization_id, move.waste_type)].organization.name,
            storage_id=move.storage_id,
            storage_name=move.storage_name,
            waste_type=move.waste_type,
            amount=move.amount,
            distance_m=move.distance_m,
        )
        for move in moves
    )
    logger.info("waste dispatched organizations=%s transfers=%s", len({o for o, _ in pending}), len(transfers))
    return transfers


def lock_pending_wastes(*, organization_ids: Collection[int] | None = None) -> list[OrganizationWaste]:
    """Lock the waste rows with stock (of these organizations, else all): before touching any room."""
    if organization_ids is None:
        return _lock_wastes(stock__gt=0)
    return _lock_wastes(stock__gt=0, organization_id__in=sorted(organization_ids))


def dispatch_pending(*, wastes: list[OrganizationWaste] | None = None) -> list[Transfer]:
    """Dispatch waiting stock: of these locked rows (from `lock_pending_wastes`), else of every organization."""
    return dispatch(wastes=lock_pending_wastes() if wastes is None else wastes, lock_rooms=True)


def _left(wastes: list[OrganizationWaste]) -> dict[str, int]:
    stock = {waste.waste_type: waste.stock for waste in wastes}
    return {waste_type: stock[waste_type] for waste_type in WASTE_TYPES if waste_type in stock}


def organization_generate(*, organization: Organization, amounts: Mapping[str, int]) -> DisposalResult:
    """Add waste to the organization's stock (within its limits) and dispose it at once."""

    def attempt(lock_rooms: bool) -> DisposalResult:
        lock_site(organization)
        wastes = _lock_wastes(organization_id=organization.pk)
        by_type = {waste.waste_type: waste for waste in wastes}
        for waste_type, amount in amounts.items():
            waste = by_type.get(waste_type)
            if waste is None:
                raise WasteTypeNotProducedError(
                    f"organization {organization.pk} does not produce {waste_type}", type=waste_type
                )
            if waste.stock + amount > waste.limit:
                raise WasteLimitExceededError(
                    f"{waste_type}: stock {waste.stock} + {amount} exceeds the limit {waste.limit}",
                    type=waste_type,
                    stock=waste.stock,
                    limit=waste.limit,
                )
            waste.stock += amount
        OrganizationWaste.objects.bulk_update(wastes, ["stock"])
        return DisposalResult(transfers=dispatch(wastes=wastes, lock_rooms=lock_rooms), left=_left(wastes))

    return _with_retry(attempt)


def organization_dispose(*, organization: Organization) -> DisposalResult:
    """Dispose whatever the organization holds, nearest storage first."""

    def attempt(lock_rooms: bool) -> DisposalResult:
        lock_site(organization)
        wastes = _lock_wastes(organization_id=organization.pk)
        return DisposalResult(transfers=dispatch(wastes=wastes, lock_rooms=lock_rooms), left=_left(wastes))

    return _with_retry(attempt)
