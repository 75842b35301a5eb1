"""Incremental distances: a route change rewrites only the (organization, storage) pairs it affects.

The distance table keeps, per organization, a shortest-path tree: the path of a pair is the path of its parent
pair (the storage before the last, `path[cardinality(path) - 1]`, indexed per organization) plus the storage.
For a directed edge u→v of weight w, all in SQL and set-based (every organization at once):
- removed or lengthened: the pairs whose tree used it, (o, v) with parent u and everything below it, are found
  by walking the tree down through the parent index and deleted; each is re-seeded with its best road from
  what remains (a direct road from the organization, or an in-edge from a pair still in the table);
- added or shortened: every organization whose distance to u (0 at the organization itself) plus w beats its
  distance to v is offered v through it;
- then the offers are relaxed round by round: an offer that beats the table is written and offers its
  out-edges in turn, and an offer that cannot beat the table is dropped at once, so the search never leaves
  the pairs that change (a label-correcting Dijkstra bounded by them).
Checked against a full recompute after random edit sequences (tests/waste/test_distance_properties.py).
"""

from dataclasses import dataclass

from django.db import connection

from waste.models import Route
from waste.services.network import DISTANCE_COLUMNS, DISTANCE_TABLE

ROUTE_TABLE = Route._meta.db_table
PARENT = "path[cardinality(path) - 1]"  # the expression of waste_distance_parent_idx
# One table per session, emptied at every commit (creating it per edit would write the catalog every time).
SCRATCH_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS waste_frontier (organization_id bigint NOT NULL, storage_id bigint NOT NULL, "
    "distance_m bigint NOT NULL, path bigint[] NOT NULL) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS waste_cut (organization_id bigint NOT NULL, storage_id bigint NOT NULL) "
    "ON COMMIT DELETE ROWS",
)


def _out_edges(node: str) -> str:
    """Directed storage→storage edges (b, w) leaving storage `node`: one-way routes and both ways of two-way."""
    return (
        f"(SELECT * FROM (SELECT to_storage_id AS b, distance_m AS w FROM {ROUTE_TABLE} WHERE from_storage_id = {node} "
        f"UNION ALL SELECT from_storage_id, distance_m FROM {ROUTE_TABLE} WHERE to_storage_id = {node} AND two_way) "
        "edges OFFSET 0)"
    )


def _in_edges(node: str) -> str:
    """Directed storage→storage edges (a, w) entering storage `node`."""
    return (
        f"(SELECT from_storage_id AS a, distance_m AS w FROM {ROUTE_TABLE} "
        f"WHERE to_storage_id = {node} AND from_storage_id IS NOT NULL "
        f"UNION ALL SELECT to_storage_id, distance_m FROM {ROUTE_TABLE} WHERE from_storage_id = {node} AND two_way)"
    )


@dataclass(frozen=True)
class Edge:
    """One direction of a route: from an organization (`from_organization=True`) or a storage, to a storage."""

    source: int
    target: int
    weight: int
    from_organization: bool = False


def route_edges(route: Route) -> dict[tuple[bool, int, int], int]:
    """The directions of a route: (from organization?, source, target) → weight."""
    if route.from_organization_id is not None:
        return {(True, route.from_organization_id, route.to_storage_id): route.distance_m}
    edges = {(False, route.from_storage_id, route.to_storage_id): route.distance_m}
    if route.two_way:
        edges[(False, route.to_storage_id, route.from_storage_id)] = route.distance_m
    return edges


def distances_update(*, before: dict[tuple[bool, int, int], int], after: dict[tuple[bool, int, int], int]) -> set[int]:
    """Bring the table from the route directions `before` to `after` (the route table already holds `after`).

    Returns the organizations with a pair that got shorter or newly reachable (their waiting waste may move).
    Call inside a transaction holding the network lock.
    """
    cut = [Edge(s, t, w, o) for (o, s, t), w in before.items() if after.get((o, s, t), w + 1) > w]
    seeds = [Edge(s, t, w, o) for (o, s, t), w in after.items() if before.get((o, s, t), w + 1) > w]
    if not cut and not seeds:
        return set()
    with connection.cursor() as cursor:
        # The scratch tables have no statistics, so a round's estimated cost can pass jit_above_cost, and compiling
        # it (~0.4 s) then costs a hundred times running it.
        cursor.execute("SET LOCAL jit = off")
        for statement in SCRATCH_TABLES:
            cursor.execute(statement)
        cursor.execute("DELETE FROM waste_frontier")
        if cut:
            _cut(cursor, cut)
        for edge in seeds:
            _seed(cursor, edge)
        return _relax(cursor)


# The pairs whose tree path ends with one of the cut edges, and every pair below them (parent index).
CUT_SQL = f"""
WITH RECURSIVE cut_edge AS (
    SELECT * FROM unnest(%s::boolean[], %s::bigint[], %s::bigint[]) AS e (from_organization, source, target)
), subtree (organization_id, storage_id) AS (
    SELECT d.organization_id, d.storage_id FROM cut_edge e JOIN {DISTANCE_TABLE} d
        ON e.from_organization AND d.organization_id = e.source AND d.storage_id = e.target
        AND cardinality(d.path) = 1
    UNION
    SELECT d.organization_id, d.storage_id FROM cut_edge e JOIN {DISTANCE_TABLE} d
        ON NOT e.from_organization AND d.storage_id = e.target AND d.{PARENT} = e.source
    UNION
    SELECT d.organization_id, d.storage_id FROM subtree s JOIN {DISTANCE_TABLE} d
        ON d.organization_id = s.organization_id AND d.{PARENT} = s.storage_id
), gone AS (
    DELETE FROM {DISTANCE_TABLE} d USING subtree s
    WHERE d.organization_id = s.organization_id AND d.storage_id = s.storage_id
    RETURNING d.organization_id, d.storage_id
)
INSERT INTO waste_cut SELECT organization_id, storage_id FROM gone
"""
# Each deleted pair's best road from what remains: a direct road from the organization, or an in-edge from a pair
# still in the table (one lateral lookup per pair: index probes, never a scan of the table).
RESEED_SQL = f"""
INSERT INTO waste_frontier ({DISTANCE_COLUMNS})
SELECT c.organization_id, c.storage_id, best.distance_m, best.path FROM waste_cut c
CROSS JOIN LATERAL (
    SELECT r.distance_m::bigint AS distance_m, ARRAY[c.storage_id] AS path FROM {ROUTE_TABLE} r
    WHERE r.from_organization_id = c.organization_id AND r.to_storage_id = c.storage_id
    UNION ALL
    SELECT d.distance_m + e.w, d.path || c.storage_id FROM {_in_edges("c.storage_id")} e
    JOIN {DISTANCE_TABLE} d ON d.organization_id = c.organization_id AND d.storage_id = e.a
    ORDER BY 1 LIMIT 1
) best
"""


def _cut(cursor, edges: list[Edge]) -> None:
    """Delete the subtrees hanging from these edges in every organization's tree, and seed their pairs again.

    All cut edges go at once: a seed must never come from a pair that another cut edge then deletes.
    """
    cursor.execute("DELETE FROM waste_cut")
    cursor.execute(
        CUT_SQL,
        [[e.from_organization for e in edges], [e.source for e in edges], [e.target for e in edges]],
    )
    if cursor.rowcount:
        cursor.execute(RESEED_SQL)


def _seed(cursor, edge: Edge) -> None:
    """Offers through a new or shorter edge, to the organizations whose distance to its end it beats."""
    if edge.from_organization:
        cursor.execute(
            f"INSERT INTO waste_frontier ({DISTANCE_COLUMNS}) VALUES (%s, %s, %s, ARRAY[%s]::bigint[])",
            [edge.source, edge.target, edge.weight, edge.target],
        )
        return
    cursor.execute(
        f"INSERT INTO waste_frontier ({DISTANCE_COLUMNS}) "
        f"SELECT u.organization_id, %s, u.distance_m + %s, u.path || %s::bigint FROM {DISTANCE_TABLE} u "
        f"LEFT JOIN {DISTANCE_TABLE} v ON v.organization_id = u.organization_id AND v.storage_id = %s "
        "WHERE u.storage_id = %s AND (v.id IS NULL OR v.distance_m > u.distance_m + %s)",
        [edge.target, edge.weight, edge.target, edge.target, edge.source, edge.weight],
    )


# One round: take the offers, write the best one per pair where it beats the table, and offer the out-edges of
# what was written, except where the table (as it was before this round) already holds as short a distance:
# such an offer could never be written. Every lookup is a lateral subquery (OFFSET 0 keeps it one), so each is
# an index probe per row: the scratch tables have no statistics, and a misjudged size made PostgreSQL hash the
# whole million-row table for a round of five offers.
RELAX_ROUND = f"""
WITH taken AS (DELETE FROM waste_frontier RETURNING *),
best AS (
    SELECT DISTINCT ON (organization_id, storage_id) * FROM taken ORDER BY organization_id, storage_id, distance_m
), applied AS (
    INSERT INTO {DISTANCE_TABLE} AS d ({DISTANCE_COLUMNS}) SELECT {DISTANCE_COLUMNS} FROM best
    ON CONFLICT (organization_id, storage_id) DO UPDATE SET distance_m = EXCLUDED.distance_m, path = EXCLUDED.path
    WHERE d.distance_m > EXCLUDED.distance_m
    RETURNING d.organization_id, d.storage_id, d.distance_m, d.path
), offered AS (
    INSERT INTO waste_frontier
    SELECT a.organization_id, e.b, a.distance_m + e.w, a.path || e.b
    FROM applied a CROSS JOIN LATERAL {_out_edges("a.storage_id")} e
    LEFT JOIN LATERAL (
        SELECT o.distance_m FROM {DISTANCE_TABLE} o WHERE o.organization_id = a.organization_id AND o.storage_id = e.b
        OFFSET 0
    ) o ON true
    WHERE o.distance_m IS NULL OR o.distance_m > a.distance_m + e.w
    RETURNING 1
)
SELECT (SELECT count(*) FROM offered), ARRAY(SELECT DISTINCT organization_id FROM applied)
"""


def _relax(cursor) -> set[int]:
    improved: set[int] = set()
    while True:
        cursor.execute(RELAX_ROUND)
        offered, organizations = cursor.fetchone()
        improved.update(organizations)
        if not offered:
            return improved
