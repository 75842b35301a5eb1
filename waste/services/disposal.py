"""Disposal: generate, dispose, and re-dispatch of pending waste when room or a path appears.

No global lock on this path: organizations that share no storage never wait for each other. Lock order,
the same in every transaction (so concurrent requests cannot deadlock):
  1. (network changes only) the network advisory lock, then the site they change (FOR NO KEY UPDATE, so
     a transfer's foreign key to it never waits);
  2. the organizations' waste rows, one statement ordered by pk (a disposal first holds its organization);
  3. storage rooms, locked by one statement in pk order before anything is planned; services that change
     rooms lock the waiting waste rows before touching a room.
A disposal of one organization locks only the rooms it may use: per type, the nearest rooms with room (as last
committed) until their free room covers the stock, found through the (organization, distance) index. The plan
is made from the locked rows, so no concurrent disposal can invalidate it. When a locked room turned out
fuller than it was seen, or more rooms than were looked at might be needed, the attempt is rolled back and
repeated looking further; the last attempt locks every reachable room with room, as the re-dispatch after a
network change does. Rooms, stock and transfers are then written by one statement. The check constraints on
`StorageRoom` and `OrganizationWaste` are the last line of defence.
`generate` and `dispose` first try the first attempt as a single statement (waste.services.disposal_statement:
same locks, same order, same plan, no round trip in between); what it leaves to them starts at the second.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from config.api import not_found_message
from waste import allocation
from waste.exceptions import (
    DisposerNotAllowedError,
    OrganizationNotFoundError,
    WasteLimitExceededError,
    WasteTypeNotProducedError,
)
from waste.models import WASTE_TYPES, Distance, Organization, OrganizationWaste, Storage, StorageRoom, Transfer
from waste.services.disposal_statement import dispose_in_one_statement

logger = logging.getLogger(__name__)

# Attempts that lock only the nearest rooms (NEAREST_ROOMS per type, then NEAREST_GROWTH times more each time)
# before the last one, which locks every reachable room with room.
OPTIMISTIC_ATTEMPTS = 2
NEAREST_ROOMS = 8
NEAREST_GROWTH = 16
T = TypeVar("T")

DISTANCE, ROOM, STORAGE, TRANSFER = (model._meta.db_table for model in (Distance, StorageRoom, Storage, Transfer))


class RoomTakenError(Exception):
    """The rooms an attempt locked do not hold its plan while others might: rolled back, retried further."""


@dataclass
class DisposalResult:
    transfers: list[Transfer] = field(default_factory=list)
    left: dict[str, int] = field(default_factory=dict)


def _with_retry(attempt: Callable[[int | None], T], *, first: int = 0) -> T:
    """Run `attempt(nearest)` in its own transaction (a savepoint when nested), looking further after a miss.

    `nearest`: how many rooms per type the attempt may look at, None for every reachable one (the last attempt);
    `first`: the attempt to start with (1 after the one-statement path looked at the nearest rooms).
    """
    for number in range(min(first, OPTIMISTIC_ATTEMPTS), OPTIMISTIC_ATTEMPTS + 1):
        nearest = NEAREST_ROOMS * NEAREST_GROWTH**number if number < OPTIMISTIC_ATTEMPTS else None
        try:
            with transaction.atomic():
                return attempt(nearest)
        except RoomTakenError:
            logger.info("disposal needs more rooms than it locked, attempt=%s", number + 1)
    raise AssertionError("the attempt locking every room cannot miss one")  # pragma: no cover


# One organization's row (FOR NO KEY UPDATE: it must not be deleted meanwhile), then its waste rows in pk order,
# in one round trip: the CTE is read, and its row locked, before the lateral subquery locks any waste row.
LOCK_ORGANIZATION_SQL = f"""
WITH site AS (SELECT id, name FROM {Organization._meta.db_table} WHERE id = %s FOR NO KEY UPDATE)
SELECT site.name, w.id, w.waste_type, w.stock, w."limit" FROM site
LEFT JOIN LATERAL (
    SELECT id, waste_type, stock, "limit" FROM {OrganizationWaste._meta.db_table}
    WHERE organization_id = site.id ORDER BY id FOR UPDATE
) w ON true
"""


def _lock_organization(organization: Organization) -> list[OrganizationWaste]:
    """Lock the organization, then its waste rows (lock order step 2); 404 when it was deleted meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(LOCK_ORGANIZATION_SQL, [organization.pk])
        rows = cursor.fetchall()
    if not rows:
        raise OrganizationNotFoundError(not_found_message("organization", organization.pk))
    locked = Organization(pk=organization.pk, name=rows[0][0])
    return [
        OrganizationWaste(pk=pk, organization=locked, waste_type=waste_type, stock=stock, limit=limit)
        for _name, pk, waste_type, stock, limit in rows
        if pk is not None
    ]


def _lock_wastes(**filters: object) -> list[OrganizationWaste]:
    return list(
        OrganizationWaste.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(**filters)
        .order_by("pk")
    )


# Every reachable room with room of these organizations and types, locked in pk order.
ALL_ROOMS_SQL = f"""
SELECT r.id, r.storage_id, s.name, r.waste_type, r.capacity - r.stored, d.organization_id, d.distance_m
FROM {DISTANCE} d
JOIN {ROOM} r ON r.storage_id = d.storage_id
JOIN {STORAGE} s ON s.id = d.storage_id
WHERE d.organization_id = ANY(%s) AND r.waste_type = ANY(%s) AND r.stored < r.capacity
ORDER BY r.id
FOR UPDATE OF r
"""
# One organization, per type: of its nearest %s rooms with room (in disposal order: distance, then name by code
# point as `allocation.plan` sorts, then id), those whose free room added up before them does not yet cover the
# stock (`seen`, as last committed); then those rooms locked in pk order (`locked`: their free room now; a room
# deleted meanwhile has none). `fetched`: how many rooms were looked at for the type.
NEAREST_ROOMS_SQL = f"""
WITH seen AS (
    SELECT c.* FROM unnest(%s::varchar[], %s::bigint[]) AS need (waste_type, stock)
    CROSS JOIN LATERAL (
        SELECT nearest.*, count(*) OVER () AS fetched, COALESCE(SUM(nearest.free) OVER (
            ORDER BY nearest.distance_m, nearest.name COLLATE "C", nearest.storage_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
        FROM (
            SELECT r.id, r.storage_id, s.name, r.waste_type, r.capacity - r.stored AS free, d.distance_m
            FROM {DISTANCE} d
            JOIN {ROOM} r ON r.storage_id = d.storage_id AND r.waste_type = need.waste_type
            JOIN {STORAGE} s ON s.id = d.storage_id
            WHERE d.organization_id = %s AND r.stored < r.capacity
            ORDER BY d.distance_m, s.name COLLATE "C", s.id
            LIMIT %s
        ) nearest
    ) c
    WHERE c.before < need.stock
), locked AS (
    SELECT r.id, r.capacity - r.stored AS free FROM {ROOM} r WHERE r.id IN (SELECT id FROM seen)
    ORDER BY r.id FOR NO KEY UPDATE
)
SELECT seen.id, seen.storage_id, seen.name, seen.waste_type, seen.free, locked.free, seen.distance_m, seen.fetched
FROM seen LEFT JOIN locked ON locked.id = seen.id
"""
# The rooms (already locked, so a failed condition means a bug), the stock and the transfers in one statement.
APPLY_SQL = f"""
WITH rooms AS (
    UPDATE {ROOM} r SET stored = r.stored + m.amount
    FROM unnest(%s::bigint[], %s::integer[]) AS m (id, amount)
    WHERE r.id = m.id AND r.stored + m.amount <= r.capacity
    RETURNING r.id
), stocks AS (
    UPDATE {OrganizationWaste._meta.db_table} w SET stock = s.stock
    FROM unnest(%s::bigint[], %s::integer[]) AS s (id, stock)
    WHERE w.id = s.id
    RETURNING w.id
), transfers AS (
    INSERT INTO {TRANSFER} (organization_id, organization_name, storage_id, storage_name, waste_type, amount,
                            distance_m, created_at)
    SELECT * FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::varchar[], %s::varchar[], %s::integer[],
                         %s::bigint[], %s::timestamptz[])
    RETURNING id
)
SELECT (SELECT count(*) FROM rooms), ARRAY(SELECT id FROM transfers ORDER BY id)
"""


def _nearest_rooms(
    *, organization_id: int, stocks: dict[tuple[int, str], int], nearest: int
) -> tuple[list[allocation.Room], dict[tuple[int, int], int], dict[str, bool]]:
    """Lock the rooms one organization may use; (rooms, distances, per type: whether farther rooms might help)."""
    waste_types = [waste_type for (_, waste_type) in stocks]
    amounts = [stocks[(organization_id, waste_type)] for waste_type in waste_types]
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_ROOMS_SQL, [waste_types, amounts, organization_id, nearest])
        rows = cursor.fetchall()
    rooms, distances = [], {}
    farther: dict[str, bool] = defaultdict(bool)
    for room_id, storage_id, name, waste_type, seen, free, distance_m, fetched in rows:
        # Looked at every room it was allowed to, or a room holds less than it seemed: others may be needed.
        farther[waste_type] |= fetched >= nearest or free is None or free < seen
        if free:
            rooms.append(allocation.Room(room_id, storage_id, name, waste_type, free))
            distances[(organization_id, storage_id)] = distance_m
    return rooms, distances, farther


def _all_rooms(*, stocks: dict[tuple[int, str], int]) -> tuple[list[allocation.Room], dict[tuple[int, int], int]]:
    organization_ids = sorted({organization_id for organization_id, _ in stocks})
    waste_types = sorted({waste_type for _, waste_type in stocks})
    with connection.cursor() as cursor:
        cursor.execute(ALL_ROOMS_SQL, [organization_ids, waste_types])
        rows = cursor.fetchall()
    rooms: dict[int, allocation.Room] = {}
    distances: dict[tuple[int, int], int] = {}
    for room_id, storage_id, name, waste_type, free, organization_id, distance_m in rows:
        rooms.setdefault(room_id, allocation.Room(room_id, storage_id, name, waste_type, free))
        distances[(organization_id, storage_id)] = distance_m
    return list(rooms.values()), distances


def dispatch(
    *, wastes: list[OrganizationWaste], nearest: int | None = None, changed: Collection[OrganizationWaste] = ()
) -> list[Transfer]:
    """Dispose the stock of these (already locked) waste rows; updates them in place and writes their stock.

    `nearest`: look at that many rooms per type (the wastes of one organization), None: every reachable room.
    `changed`: rows whose stock the caller changed, written even when nothing moves.
    """
    pending = {(waste.organization_id, waste.waste_type): waste for waste in wastes if waste.stock > 0}
    stocks = {key: waste.stock for key, waste in pending.items()}
    moves: list[allocation.Move] = []
    if stocks:
        farther: Mapping[str, bool] = {}
        if nearest is None:
            rooms, distances = _all_rooms(stocks=stocks)
        else:
            (organization_id,) = {organization_id for organization_id, _ in stocks}
            rooms, distances, farther = _nearest_rooms(organization_id=organization_id, stocks=stocks, nearest=nearest)
        moves = allocation.plan(stocks=stocks, rooms=rooms, distances=distances)
        for move in moves:
            pending[(move.organization_id, move.waste_type)].stock -= move.amount
        if any(pending[key].stock and farther.get(key[1]) for key in stocks):
            raise RoomTakenError(sorted(stocks))
    written = {waste.pk: waste for waste in changed}
    written |= {pending[(move.organization_id, move.waste_type)].pk: pending[(move.organization_id, move.waste_type)]
                for move in moves}  # fmt: skip
    if not written:
        return []
    transfers = _apply(moves=moves, wastes=list(written.values()), names=pending)
    if transfers:
        logger.info("waste dispatched organizations=%s transfers=%s", len({o for o, _ in stocks}), len(transfers))
    return transfers


def _apply(
    *, moves: list[allocation.Move], wastes: list[OrganizationWaste], names: Mapping[tuple[int, str], OrganizationWaste]
) -> list[Transfer]:
    """Write the moves into their (locked) rooms, the stock of `wastes` and one transfer per move."""
    per_room: dict[int, int] = defaultdict(int)
    for move in moves:
        per_room[move.room_id] += move.amount
    now = timezone.now()
    transfers = [
        Transfer(
            organization_id=move.organization_id,
            organization_name=names[(move.organization_id, move.waste_type)].organization.name,
            storage_id=move.storage_id,
            storage_name=move.storage_name,
            waste_type=move.waste_type,
            amount=move.amount,
            distance_m=move.distance_m,
            created_at=now,
        )
        for move in moves
    ]
    columns = ("organization_id", "organization_name", "storage_id", "storage_name", "waste_type", "amount",
               "distance_m", "created_at")  # fmt: skip
    params = [
        list(per_room),
        list(per_room.values()),
        [waste.pk for waste in wastes],
        [waste.stock for waste in wastes],
        *([getattr(transfer, column) for transfer in transfers] for column in columns),
    ]
    with connection.cursor() as cursor:
        cursor.execute(APPLY_SQL, params)
        rooms_written, transfer_ids = cursor.fetchone()
    if rooms_written != len(per_room):  # pragma: no cover - the rooms are locked: the check constraint's job
        raise RoomTakenError(sorted(per_room))
    for transfer, transfer_id in zip(transfers, transfer_ids, strict=True):
        transfer.pk = transfer_id
    return transfers


def lock_pending_wastes(*, organization_ids: Collection[int] | None = None) -> list[OrganizationWaste]:
    """Lock the waste rows (of these organizations, else all) before touching any room; returns those with stock.

    Every row, not only those with stock now: a disposal whose rows had none would otherwise lock its rows, then
    rooms this transaction holds, while this one waits for rooms the disposal holds (a deadlock).
    """
    filters = {} if organization_ids is None else {"organization_id__in": sorted(organization_ids)}
    return [waste for waste in _lock_wastes(**filters) if waste.stock > 0]


def dispatch_pending(*, wastes: list[OrganizationWaste] | None = None) -> list[Transfer]:
    """Dispatch waiting stock: of these locked rows (from `lock_pending_wastes`), else of every organization."""
    return dispatch(wastes=lock_pending_wastes() if wastes is None else wastes)


def _left(wastes: list[OrganizationWaste]) -> dict[str, int]:
    stock = {waste.waste_type: waste.stock for waste in wastes}
    return {waste_type: stock[waste_type] for waste_type in WASTE_TYPES if waste_type in stock}


def _in_one_statement(
    organization: Organization, amounts: Mapping[str, int], user_id: int | None
) -> DisposalResult | None:
    """The common case, as one statement (waste.services.disposal_statement); None: take the general path."""
    if not OPTIMISTIC_ATTEMPTS:
        if user_id is not None:
            _check_disposer(organization, user_id)
        return None
    outcome = dispose_in_one_statement(
        organization=organization, amounts=amounts, nearest=NEAREST_ROOMS, user_id=user_id
    )
    if not outcome.allowed:
        raise DisposerNotAllowedError(f"user {user_id} may not dispose for organization {organization.pk}")
    if not outcome.found:
        raise OrganizationNotFoundError(not_found_message("organization", organization.pk))
    if not outcome.done:
        refused = any(
            waste_type not in outcome.wastes or outcome.wastes[waste_type][0] + amount > outcome.wastes[waste_type][1]
            for waste_type, amount in amounts.items()
        )
        if not refused:  # (a refused amount is named by the general path)
            logger.info("disposal needs more rooms than it locked, attempt=1")
        return None
    if outcome.transfers:
        logger.info("waste dispatched organizations=1 transfers=%s", len(outcome.transfers))
    return DisposalResult(
        transfers=outcome.transfers, left={waste_type: left for waste_type, (_, _, left) in outcome.wastes.items()}
    )


def _check_disposer(organization: Organization, user_id: int) -> None:
    """What the statement checks of the acting user, for when it is not used (OPTIMISTIC_ATTEMPTS = 0)."""
    allowed = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .filter(Q(is_staff=True) | Q(waste_memberships__organization_id=organization.pk))
        .exists()
    )
    if not allowed:
        raise DisposerNotAllowedError(f"user {user_id} may not dispose for organization {organization.pk}")


def organization_generate(
    *, organization: Organization, amounts: Mapping[str, int], user_id: int | None = None
) -> DisposalResult:
    """Add waste to the organization's stock (within its limits) and dispose it at once.

    `user_id`: the acting user, when not checked yet: active, staff or a member of the organization, else
    DisposerNotAllowedError with nothing changed (checked by the disposal's statement itself: no query of its own).
    """

    def attempt(nearest: int | None) -> DisposalResult:
        wastes = _lock_organization(organization)
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
        changed = [by_type[waste_type] for waste_type, amount in amounts.items() if amount]
        transfers = dispatch(wastes=wastes, nearest=nearest, changed=changed)
        return DisposalResult(transfers=transfers, left=_left(wastes))

    return _in_one_statement(organization, amounts, user_id) or _with_retry(attempt, first=1)


def organization_dispose(*, organization: Organization, user_id: int | None = None) -> DisposalResult:
    """Dispose whatever the organization holds, nearest storage first (`user_id`: as for organization_generate)."""

    def attempt(nearest: int | None) -> DisposalResult:
        wastes = _lock_organization(organization)
        return DisposalResult(transfers=dispatch(wastes=wastes, nearest=nearest), left=_left(wastes))

    return _in_one_statement(organization, {}, user_id) or _with_retry(attempt, first=1)
