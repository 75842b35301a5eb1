"""Shortest directed paths from organizations to storages (scipy's csgraph Dijkstra), as rows of the distance
table in COPY text format. Pure: no database.

numpy and scipy are imported when a table is computed, not with this module: they cost about a quarter of a
second, and every process that sets Django up imports the waste services through the admin (`export_pets`, the
gRPC sidecar and the relay never compute a distance)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

# Dijkstra runs over this many sources at once, bounding the memory of the dense result rows.
SOURCE_BATCH = 256


class RouteEdge(NamedTuple):
    from_organization_id: int | None
    from_storage_id: int | None
    to_storage_id: int
    distance_m: int
    two_way: bool


def _graph(organization_ids: list[int], storage_ids: list[int], routes: Iterable[RouteEdge]) -> csr_matrix | None:
    """Nodes: storages first (0..S-1), then organizations; parallel edges keep the shortest one."""
    storage_index = {storage_id: index for index, storage_id in enumerate(storage_ids)}
    organization_index = {org_id: len(storage_ids) + index for index, org_id in enumerate(organization_ids)}
    weights: dict[tuple[int, int], int] = {}

    def add(source: int, target: int, distance: int) -> None:
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
        return None
    import numpy as np
    from scipy.sparse import csr_matrix

    nodes = len(storage_ids) + len(organization_ids)
    pairs = np.array(list(weights.keys()), dtype=np.int64)
    values = np.array(list(weights.values()), dtype=np.float64)
    return csr_matrix((values, (pairs[:, 0], pairs[:, 1])), shape=(nodes, nodes))


def distance_rows(
    *, organization_ids: Collection[int], storage_ids: Collection[int], routes: Iterable[RouteEdge]
) -> Iterator[str]:
    """One COPY line `organization_id TAB storage_id TAB distance_m TAB {path}` per reachable pair.

    `path` holds the storage ids after the organization, the last one being the storage.
    """
    organization_ids, storage_ids = list(organization_ids), list(storage_ids)
    if not organization_ids or not storage_ids:
        return
    matrix = _graph(organization_ids, storage_ids, routes)
    if matrix is None:
        return
    from scipy.sparse.csgraph import dijkstra

    size = len(storage_ids)
    names = [str(storage_id) for storage_id in storage_ids]
    for start in range(0, len(organization_ids), SOURCE_BATCH):
        batch = organization_ids[start : start + SOURCE_BATCH]
        dist, pred = dijkstra(
            matrix, directed=True, indices=[size + start + i for i in range(len(batch))], return_predecessors=True
        )
        for row, org_id in enumerate(batch):
            yield from _rows_of(org_id, dist[row, :size], pred[row], names, size)


def _rows_of(org_id: int, dist: np.ndarray, pred: np.ndarray, names: list[str], size: int) -> Iterator[str]:
    import numpy as np

    reachable = np.flatnonzero(np.isfinite(dist))
    # Distances are positive, so a predecessor is always nearer: walking in distance order builds each
    # path from its predecessor's path, once per storage.
    order = reachable[np.argsort(dist[reachable], kind="stable")]
    paths: dict[int, str] = {}
    prefix = f"{org_id}\t"
    for node, distance, parent in zip(
        order.tolist(), dist[order].astype(np.int64).tolist(), pred[order].tolist(), strict=True
    ):
        path = names[node] if parent >= size or parent < 0 else f"{paths[parent]},{names[node]}"
        paths[node] = path
        yield f"{prefix}{names[node]}\t{distance}\t{{{path}}}\n"


class ShortestPath(NamedTuple):
    organization_id: int
    storage_id: int
    distance_m: int
    path: str  # storage ids after the organization, comma-separated


def shortest_paths(
    *, organization_ids: Collection[int], storage_ids: Collection[int], routes: Iterable[RouteEdge]
) -> Iterator[ShortestPath]:
    """`distance_rows` as tuples (for tests and comparisons; the service copies the rows as they are)."""
    for row in distance_rows(organization_ids=organization_ids, storage_ids=storage_ids, routes=routes):
        organization_id, storage_id, distance_m, path = row.rstrip("\n").split("\t")
        yield ShortestPath(int(organization_id), int(storage_id), int(distance_m), path[1:-1])
