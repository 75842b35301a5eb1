"""One organization's disposal as one SQL statement: the hot path of `generate` and `dispose`.

The statement does what an attempt of waste.services.disposal does, in the same lock order, without a round trip
in between (and, outside a transaction, without BEGIN and COMMIT: a statement is its own transaction):
  0. when given the acting user (the API's), check that they are active and staff or a member of the
     organization, before locking anything: the request needs no query of its own for its user;
  1. lock the organization, then its waste rows in pk order, and check the amounts (produced, within limits);
  2. per type, look at the nearest NEAREST_ROOMS rooms with room (as last committed) until their free room
     covers the stock, and lock those rooms in pk order;
  3. plan from the locked rooms (per type, by distance, then name by code point, then storage id: the order of
     `allocation.plan`), then write the rooms, the stock and one transfer per room used.
Nothing is locked when the user may not dispose, and nothing is written when an amount is refused or when
farther rooms might be needed (a locked room holds less than it seemed, or every room looked at is used and stock
is left): the caller then answers with the full checks, or takes the general path.

The statement is the body of a PL/pgSQL function, `waste_dispose(...)`, installed by a migration from
`function_sql()` (a test holds the installed body equal to it). The function keeps the statement's plan for the
session (one generic plan: the same shape for every organization), so a call is not planned again: planning the
statement cost about as much as running it. A function is a database object, so this also holds behind a
transaction-pooling PgBouncer, unlike a prepared statement of the client.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from waste.models import (
    WASTE_TYPES,
    Distance,
    Membership,
    Organization,
    OrganizationWaste,
    Storage,
    StorageRoom,
    Transfer,
)

DISTANCE, ROOM, STORAGE, TRANSFER, WASTE = (
    model._meta.db_table for model in (Distance, StorageRoom, Storage, Transfer, OrganizationWaste)
)

# Per need (waste_type, stock) of one organization (p_organization): of its nearest p_nearest rooms of that type
# with room, in disposal order, those whose free room added up before them does not yet cover the stock.
# `fetched`: how many rooms were looked at.
NEAREST_SEEN = f"""
    SELECT c.* FROM need CROSS JOIN LATERAL (
        SELECT nearest.*, count(*) OVER () AS fetched, COALESCE(SUM(nearest.free) OVER (
            ORDER BY nearest.distance_m, nearest.name COLLATE "C", nearest.storage_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
        FROM (
            SELECT r.id, r.storage_id, s.name, r.waste_type, r.capacity - r.stored AS free, d.distance_m
            FROM {DISTANCE} d
            JOIN {ROOM} r ON r.storage_id = d.storage_id AND r.waste_type = need.waste_type
            JOIN {STORAGE} s ON s.id = d.storage_id
            WHERE d.organization_id = p_organization AND r.stored < r.capacity
            ORDER BY d.distance_m, s.name COLLATE "C", s.id
            LIMIT p_nearest
        ) nearest
    ) c
    WHERE c.before < need.stock
"""
# The rooms seen, locked in pk order, as they are now (none for a room deleted meanwhile). The rooms are then
# written with absolute values computed from these rows: in one statement, `SET stored = stored + n` on a room
# that a concurrent transaction changed after the statement's snapshot added n to the snapshot's value
# (PostgreSQL 15 re-checks the row but evaluated the expression on the old one; caught by the check constraint).
LOCKED = f"""
    SELECT r.id, r.stored, r.capacity - r.stored AS free FROM {ROOM} r WHERE r.id IN (SELECT id FROM seen)
    ORDER BY r.id FOR NO KEY UPDATE
"""

DISPOSAL_SQL = f"""
WITH allowed AS (
    SELECT p_user IS NULL OR EXISTS (
        SELECT 1 FROM {{user_table}} u WHERE u.id = p_user AND u.is_active AND (u.is_staff OR EXISTS (
            SELECT 1 FROM {Membership._meta.db_table} m WHERE m.organization_id = p_organization AND m.user_id = u.id))
    ) AS ok
), site AS (
    SELECT id, name FROM {Organization._meta.db_table} WHERE id = p_organization AND (SELECT ok FROM allowed)
    FOR NO KEY UPDATE
), wastes AS (
    SELECT w.id, w.waste_type, w.stock, w."limit", COALESCE(a.amount, 0) AS amount
    FROM site CROSS JOIN LATERAL (
        SELECT id, waste_type, stock, "limit" FROM {WASTE} WHERE organization_id = site.id ORDER BY id FOR UPDATE
    ) w
    LEFT JOIN unnest(p_types::varchar[], p_amounts::bigint[]) AS a (waste_type, amount)
        ON a.waste_type = w.waste_type
), valid AS (
    SELECT EXISTS (SELECT 1 FROM site)
        AND NOT EXISTS (SELECT 1 FROM unnest(p_types::varchar[]) AS t (waste_type)
                        WHERE t.waste_type NOT IN (SELECT waste_type FROM wastes))
        AND NOT EXISTS (SELECT 1 FROM wastes WHERE stock + amount > "limit") AS ok
), need AS (
    SELECT waste_type, stock + amount AS stock FROM wastes WHERE stock + amount > 0 AND (SELECT ok FROM valid)
), seen AS ({NEAREST_SEEN}
), locked AS ({LOCKED}
), plan AS (
    SELECT s.id, s.storage_id, s.name, s.waste_type, s.distance_m, s.fetched, s.free AS seen_free, l.free, l.stored,
           LEAST(COALESCE(l.free, 0), GREATEST(0, n.stock - COALESCE(SUM(COALESCE(l.free, 0)) OVER (
               PARTITION BY s.waste_type ORDER BY s.distance_m, s.name COLLATE "C", s.storage_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))) AS amount
    FROM seen s JOIN need n ON n.waste_type = s.waste_type LEFT JOIN locked l ON l.id = s.id
), outcome AS (
    SELECT w.id, w.waste_type, w.stock, w."limit",
           w.stock + w.amount - COALESCE(p.moved, 0) AS left_over, COALESCE(p.farther, false) AS farther
    FROM wastes w LEFT JOIN (
        SELECT waste_type, sum(amount) AS moved,
               bool_or(fetched >= p_nearest OR free IS NULL OR free < seen_free) AS farther
        FROM plan GROUP BY waste_type
    ) p ON p.waste_type = w.waste_type
), go AS (
    SELECT (SELECT ok FROM valid) AND NOT EXISTS (SELECT 1 FROM outcome WHERE left_over > 0 AND farther) AS ok
), rooms AS (
    UPDATE {ROOM} r SET stored = p.stored + p.amount FROM plan p
    WHERE r.id = p.id AND p.amount > 0 AND (SELECT ok FROM go)
    RETURNING r.id
), stocks AS (
    UPDATE {WASTE} w SET stock = o.left_over FROM outcome o
    WHERE w.id = o.id AND o.left_over <> o.stock AND (SELECT ok FROM go)
    RETURNING w.id
), transfers AS (
    INSERT INTO {TRANSFER} (organization_id, organization_name, storage_id, storage_name, waste_type, amount,
                            distance_m, created_at)
    SELECT site.id, site.name, p.storage_id, p.name, p.waste_type, p.amount, p.distance_m, statement_timestamp()
    FROM plan p CROSS JOIN site WHERE p.amount > 0 AND (SELECT ok FROM go)
    ORDER BY array_position(p_order::varchar[], p.waste_type), p.distance_m, p.name COLLATE "C", p.storage_id
    RETURNING id, storage_id, storage_name, waste_type, amount, distance_m
)
SELECT (SELECT ok FROM go), (SELECT ok FROM allowed), (SELECT name FROM site), statement_timestamp(),
       (SELECT json_agg(json_build_array(waste_type, stock, "limit", left_over)) FROM outcome),
       (SELECT json_agg(json_build_array(id, storage_id, storage_name, waste_type, amount, distance_m) ORDER BY id)
        FROM transfers),
       (SELECT count(*) FROM rooms) + (SELECT count(*) FROM stocks)
"""

FUNCTION = "waste_dispose"
FUNCTION_ARGUMENTS = (
    "p_organization bigint, p_user bigint, p_types varchar[], p_amounts bigint[], p_nearest integer, p_order varchar[]"
)
FUNCTION_RESULT = (
    "r_done boolean, r_allowed boolean, r_name varchar, r_created_at timestamptz, r_wastes json, r_transfers json, "
    "r_written bigint"
)


def function_sql() -> str:
    """`CREATE OR REPLACE FUNCTION waste_dispose`: the statement above, its plan kept by PL/pgSQL."""
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}({FUNCTION_ARGUMENTS})
RETURNS TABLE ({FUNCTION_RESULT})
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan
AS $function$
#variable_conflict use_column
BEGIN
RETURN QUERY
{DISPOSAL_SQL.replace("{user_table}", user_table).strip()};
END
$function$"""


CALL_SQL = f"SELECT * FROM {FUNCTION}(%s::bigint, %s::bigint, %s::varchar[], %s::bigint[], %s::integer, %s::varchar[])"


@dataclass(frozen=True)
class StatementOutcome:
    """What the statement found and did. `done`: it wrote the disposal; otherwise nothing was written.

    `allowed`: the acting user may dispose for the organization (always, without one); when not, nothing was
    locked either, and `found` says nothing.
    """

    done: bool
    allowed: bool
    found: bool
    wastes: dict[str, tuple[int, int, int]]  # type → (stock before, limit, stock after), in WASTE_TYPES order
    transfers: list[Transfer]


def dispose_in_one_statement(
    *, organization: Organization, amounts: Mapping[str, int], nearest: int, user_id: int | None = None
) -> StatementOutcome:
    """Add `amounts` to the organization's stock and dispose it, as one statement (see the module docstring).

    `user_id`: the acting user, checked by the statement (active, staff or a member), or None: no check.
    Inside a transaction the statement runs in a savepoint, rolled back when nothing was done, so that the rooms
    it locked are free again before the general path locks rooms in its own order.
    """
    params = [organization.pk, user_id, list(amounts), list(amounts.values()), nearest, list(WASTE_TYPES)]
    savepoint = transaction.savepoint() if connection.in_atomic_block else None
    with connection.cursor() as cursor:
        cursor.execute(CALL_SQL, params)
        done, allowed, name, created_at, wastes, transfers, _written = cursor.fetchone()
    if savepoint is not None:
        (transaction.savepoint_commit if done else transaction.savepoint_rollback)(savepoint)
    by_type = {waste_type: (stock, limit, left) for waste_type, stock, limit, left in wastes or []}
    return StatementOutcome(
        done=bool(done),
        allowed=bool(allowed),
        found=name is not None,
        wastes={waste_type: by_type[waste_type] for waste_type in WASTE_TYPES if waste_type in by_type},
        transfers=[
            Transfer(
                pk=pk,
                organization_id=organization.pk,
                organization_name=name,
                storage_id=storage_id,
                storage_name=storage_name,
                waste_type=waste_type,
                amount=amount,
                distance_m=distance_m,
                created_at=created_at,
            )
            for pk, storage_id, storage_name, waste_type, amount, distance_m in transfers or []
        ],
    )
