"""Incremental distances: a route change rewrites only the (organization, storage) pairs it affects.

The distance table keeps, per organization, a shortest-path tree: the path of a pair is the path of its
predecessor plus the storage. For a directed edge u→v of weight w:
- added or shortened: every organization reaching u (or u itself) gets the candidate `d(u) + w` for v; a
  candidate that beats the table is written and relaxes v's out-edges in turn, so the search stays within
  the pairs that improve (a bounded, label-correcting Dijkstra run for all sources at once, in SQL);
- removed or lengthened: the pairs whose tree used it (path has u, v in a row; v's subtree) are deleted,
  re-seeded from their in-edges that remain, and relaxed the same way.
Both are checked against a full recompute on random networks (tests/hardening/test_properties_waste.py).
"""

from dataclasses import dataclass

from django.db import connection

from waste.models import Route
from waste.services.network import DISTANCE_COLUMNS, DISTANCE_TABLE

ROUTE_TABLE = Route._meta.db_table
# Directed storage→storage edges (a, b, w): one-way routes and both directions of two-way ones.
EDGES = (
    f"(SELECT from_storage_id AS a, to_storage_id AS b, distance_m AS w FROM {ROUTE_TABLE} "
    f"WHERE from_storage_id IS NOT NULL UNION ALL "
    f"SELECT to_storage_id, from_storage_id, distance_m FROM {ROUTE_TABLE} WHERE two_way)"
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
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS waste_frontier (organization_id bigint NOT NULL, "
            "storage_id bigint NOT NULL, distance_m bigint NOT NULL, path bigint[] NOT NULL) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE waste_frontier")
        for edge in cut:
            _cut(cursor, edge)
        for edge in seeds:
            _seed(cursor, edge)
        return _relax(cursor)


def _cut(cursor, edge: Edge) -> None:
    """Delete the subtree hanging from `edge` in every organization's tree, and seed its pairs again."""
    if edge.from_organization:
        tree_uses_edge = "organization_id = %s AND storage_id = %s AND cardinality(path) = 1"
        params = [edge.source, edge.target]
    else:
        tree_uses_edge = "storage_id = %s AND cardinality(path) >= 2 AND path[cardinality(path) - 1] = %s"
        params = [edge.target, edge.source]
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS waste_cut (organization_id bigint NOT NULL, storage_id bigint NOT NULL) "
        "ON COMMIT DROP"
    )
    cursor.execute("TRUNCATE waste_cut")
    # path[depth] = v means the pair hangs below v in the tree (a path's prefix is its ancestor's path).
    cursor.execute(
        f"WITH root AS (SELECT organization_id, cardinality(path) AS depth, storage_id FROM {DISTANCE_TABLE} "
        f"WHERE {tree_uses_edge}), "
        f"gone AS (DELETE FROM {DISTANCE_TABLE} d USING root WHERE d.organization_id = root.organization_id "
        "AND d.path[root.depth] = root.storage_id RETURNING d.organization_id, d.storage_id) "
        "INSERT INTO waste_cut SELECT organization_id, storage_id FROM gone",
        params,
    )
    if not cursor.rowcount:
        return
    # Re-seed from what remains: a direct road from the organization, or an in-edge from a pair still there.
    cursor.execute(
        f"INSERT INTO waste_frontier ({DISTANCE_COLUMNS}) "
        "SELECT c.organization_id, c.storage_id, r.distance_m, ARRAY[c.storage_id] FROM waste_cut c "
        f"JOIN {ROUTE_TABLE} r ON r.from_organization_id = c.organization_id AND r.to_storage_id = c.storage_id "
        "UNION ALL "
        "SELECT c.organization_id, c.storage_id, d.distance_m + e.w, d.path || c.storage_id FROM waste_cut c "
        f"JOIN {EDGES} e ON e.b = c.storage_id "
        f"JOIN {DISTANCE_TABLE} d ON d.organization_id = c.organization_id AND d.storage_id = e.a"
    )


def _seed(cursor, edge: Edge) -> None:
    """Candidates through a new or shorter edge; `_relax` keeps those that beat the table."""
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


# One round: take the candidates, write those that beat the table, and offer their out-edges as the next ones.
RELAX_ROUND = (
    "WITH taken AS (DELETE FROM waste_frontier RETURNING *), "
    "best AS (SELECT DISTINCT ON (organization_id, storage_id) * FROM taken "
    "ORDER BY organization_id, storage_id, distance_m), "
    f"applied AS (INSERT INTO {DISTANCE_TABLE} AS d ({DISTANCE_COLUMNS}) "
    f"SELECT {DISTANCE_COLUMNS} FROM best ON CONFLICT (organization_id, storage_id) DO UPDATE "
    "SET distance_m = EXCLUDED.distance_m, path = EXCLUDED.path WHERE d.distance_m > EXCLUDED.distance_m "
    "RETURNING d.organization_id, d.storage_id, d.distance_m, d.path), "
    "offered AS (INSERT INTO waste_frontier "
    "SELECT a.organization_id, e.b, a.distance_m + e.w, a.path || e.b "
    f"FROM applied a JOIN {EDGES} e ON e.a = a.storage_id RETURNING 1) "
    "SELECT (SELECT count(*) FROM offered), ARRAY(SELECT DISTINCT organization_id FROM applied)"
)


def _relax(cursor) -> set[int]:
    improved: set[int] = set()
    while True:
        cursor.execute(RELAX_ROUND)
        offered, organizations = cursor.fetchone()
        improved.update(organizations)
        if not offered:
            return improved
