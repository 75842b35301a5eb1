"""The route network: one lock for its shape, and the materialized table of shortest distances.

Distances depend only on which routes exist, so they are recomputed (Dijkstra, scipy's csgraph) in the
transaction that changes a route or removes a site, for the organizations whose paths may have changed.
The new rows are copied into a temporary table and merged, so an edit writes only the pairs that changed.
"""

import io
import logging
from collections.abc import Collection, Iterable, Iterator
from typing import NamedTuple

import numpy as np
from django.db import connection
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from waste.models import Distance, Organization, Route, Storage

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the network (an arbitrary 64-bit constant: "waste" in ASCII).
NETWORK_LOCK_KEY = 0x7761737465
# Dijkstra runs over this many sources at once, bounding the memory of the dense result rows.
SOURCE_BATCH = 256


class RouteEdge(NamedTuple):
    from_organization_id: int | None
    from_storage_id: int | None
    to_storage_id: int
    distance_m: int
    two_way: bool


class ShortestPath(NamedTuple):
    organization_id: int
    storage_id: int
    distance_m: int
    path: str  # storage ids after the organization, comma-separated


def network_lock(*, shared: bool) -> None:
    """Take the network lock until the transaction ends.

    Disposals take it shared (they run side by side); anything that changes the network, frees room or
    re-dispatches pending waste takes it exclusively. It is always the first lock a transaction takes.
    """
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [NETWORK_LOCK_KEY])


def lock_site(site: "Organization | Storage") -> None:
    """After taking the network lock: make sure a site read before it still exists, and hold it.

    A concurrent request may have deleted it in between; answering 404 beats writing rows that point nowhere.
    """
    from waste.exceptions import OrganizationNotFoundError, StorageNotFoundError

    model = type(site)
    if not model.objects.select_for_update().filter(pk=site.pk).exists():
        error = OrganizationNotFoundError if model is Organization else StorageNotFoundError
        raise error(f"{model._meta.model_name} {site.pk} not found")


def shortest_paths(
    *, organization_ids: Collection[int], storage_ids: Collection[int], routes: Iterable[RouteEdge]
) -> Iterator[ShortestPath]:
    """Shortest directed paths from each organization to every storage it can reach (pure, no database)."""
    storage_ids = list(storage_ids)
    organization_ids = list(organization_ids)
    storage_index = {storage_id: index for index, storage_id in enumerate(storage_ids)}
    size = len(storage_ids)
    organization_index = {org_id: size + index for index, org_id in enumerate(organization_ids)}
    nodes = size + len(organization_ids)
    if not storage_ids or not organization_ids:
        return
    weights: dict[tuple[int, int], int] = {}

    def add(source: int, target: int, distance: int) -> None:
        # csr_matrix would sum parallel edges; keep the shortest one instead.
        if weights.get((source, target), distance + 1) > distance:
            weights[(source, target)] = distance

    for edge in routes:
        target = storage_index.get(edge.to_storage_id)
        if edge.from_organization_id is not None:
            source = organization_index.get(edge.from_organization_id)
        else:
            source = storage_index.get(edge.from_storage_id)
        if source is None or target is None:
            continue
        add(source, target, edge.distance_m)
        if edge.two_way:
            add(target, source, edge.distance_m)
    if not weights:
        return
    pairs = np.array(list(weights.keys()), dtype=np.int64)
    matrix = csr_matrix(
        (np.array(list(weights.values()), dtype=np.float64), (pairs[:, 0], pairs[:, 1])), shape=(nodes, nodes)
    )
    storage_id_array = np.array(storage_ids, dtype=np.int64)
    for start in range(0, len(organization_ids), SOURCE_BATCH):
        batch = organization_ids[start : start + SOURCE_BATCH]
        sources = [organization_index[org_id] for org_id in batch]
        dist, pred = dijkstra(matrix, directed=True, indices=sources, return_predecessors=True)
        for row, org_id in enumerate(batch):
            yield from _paths_of(org_id, dist[row, :size], pred[row], storage_id_array)


def _paths_of(org_id: int, dist: np.ndarray, pred: np.ndarray, storage_ids: np.ndarray) -> Iterator[ShortestPath]:
    reachable = np.flatnonzero(np.isfinite(dist))
    # Distances are positive, so a predecessor is always nearer: walking in distance order builds each
    # path from its predecessor's path, once per storage.
    order = reachable[np.argsort(dist[reachable], kind="stable")]
    size = len(storage_ids)
    paths: dict[int, str] = {}
    for node, distance, parent in zip(order.tolist(), dist[order].tolist(), pred[order].tolist(), strict=True):
        storage_id = str(storage_ids[node])
        path = storage_id if parent >= size or parent < 0 else f"{paths[parent]},{storage_id}"
        paths[node] = path
        yield ShortestPath(org_id, int(storage_ids[node]), round(distance), path)


def organizations_reaching(*, storage_ids: Collection[int]) -> set[int]:
    """Organizations with a path to any of these storages (whose distances a change there may affect)."""
    return set(
        Distance.objects.filter(storage_id__in=list(storage_ids)).values_list("organization_id", flat=True).distinct()
    )


def network_edges() -> list[RouteEdge]:
    return [
        RouteEdge(*row)
        for row in Route.objects.values_list(
            "from_organization_id", "from_storage_id", "to_storage_id", "distance_m", "two_way"
        )
    ]


def distances_recompute(*, organization_ids: Collection[int] | None = None, may_shrink: bool = True) -> int:
    """Rewrite the distances of these organizations (all when None); returns how many pairs are reachable.

    `may_shrink=False` (a route was added) skips looking for pairs that became unreachable: adding a route
    only shortens or adds paths. Call inside a transaction holding the network lock exclusively.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("distances_recompute must run inside a transaction")
    if organization_ids is None:
        organization_ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
    organization_ids = sorted(set(organization_ids))
    if not organization_ids:
        return 0
    storage_ids = list(Storage.objects.order_by("id").values_list("id", flat=True))
    buffer = io.StringIO()
    reachable = 0
    for item in shortest_paths(organization_ids=organization_ids, storage_ids=storage_ids, routes=network_edges()):
        buffer.write(f"{item.organization_id}\t{item.storage_id}\t{item.distance_m}\t{{{item.path}}}\n")
        reachable += 1
    table = Distance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS waste_distance_next (organization_id bigint NOT NULL, "
            "storage_id bigint NOT NULL, distance_m bigint NOT NULL, path bigint[] NOT NULL) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE waste_distance_next")
        # The merge hash-joins up to (organizations x storages) rows; give it memory for one batch.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        with cursor.copy("COPY waste_distance_next (organization_id, storage_id, distance_m, path) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE waste_distance_next")
        if may_shrink:
            cursor.execute(
                f"DELETE FROM {table} d WHERE d.organization_id = ANY(%s) AND NOT EXISTS ("
                "SELECT 1 FROM waste_distance_next n WHERE n.organization_id = d.organization_id "
                "AND n.storage_id = d.storage_id)",
                [organization_ids],
            )
        cursor.execute(
            f"INSERT INTO {table} AS d (organization_id, storage_id, distance_m, path) "
            "SELECT n.organization_id, n.storage_id, n.distance_m, n.path FROM waste_distance_next n "
            f"LEFT JOIN {table} o ON o.organization_id = n.organization_id AND o.storage_id = n.storage_id "
            "WHERE o.id IS NULL OR o.distance_m <> n.distance_m OR o.path <> n.path "
            "ON CONFLICT (organization_id, storage_id) DO UPDATE SET distance_m = EXCLUDED.distance_m, "
            "path = EXCLUDED.path WHERE d.distance_m <> EXCLUDED.distance_m OR d.path <> EXCLUDED.path"
        )
    logger.info("distances recomputed organizations=%s reachable_pairs=%s", len(organization_ids), reachable)
    return reachable
