"""The route network: one lock for its shape, and the materialized table of shortest distances.

A full rebuild (`distances_recompute`, also the `recompute_waste_distances` command) runs scipy's Dijkstra
and writes with COPY; route changes update only the pairs they affect (waste.services.distances).
"""

import io
import logging
from collections.abc import Collection

from django.db import connection

from config.api import not_found_message
from waste.models import Distance, Organization, Route, Storage
from waste.shortest_paths import RouteEdge, distance_rows

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key of the network (an arbitrary 64-bit constant: "waste" in ASCII).
NETWORK_LOCK_KEY = 0x7761737465
DISTANCE_TABLE = Distance._meta.db_table
DISTANCE_COLUMNS = "organization_id, storage_id, distance_m, path"


def network_lock() -> None:
    """Take the network lock until the transaction ends: changes of the network's shape run one at a time.

    Disposals never take it: they lock only the rows they write (see waste.services.disposal).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NETWORK_LOCK_KEY])


def lock_site(site: Organization | Storage) -> None:
    """Make sure a site read before this transaction's locks still exists, and hold it.

    A concurrent request may have deleted it in between; answering 404 beats writing rows that point nowhere.
    """
    from waste.exceptions import OrganizationNotFoundError, StorageNotFoundError

    model = type(site)
    if not model.objects.select_for_update(no_key=True).filter(pk=site.pk).exists():
        error = OrganizationNotFoundError if model is Organization else StorageNotFoundError
        raise error(not_found_message(model._meta.model_name, site.pk))


def organizations_reaching(*, storage_ids: Collection[int]) -> set[int]:
    """Organizations with a path to any of these storages (whose distances a change there may affect)."""
    return set(
        Distance.objects.filter(storage_id__in=list(storage_ids)).values_list("organization_id", flat=True).distinct()
    )


def network_edges() -> list[RouteEdge]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT from_organization_id, from_storage_id, to_storage_id, distance_m, two_way "
            f"FROM {Route._meta.db_table}"
        )
        return [RouteEdge(*row) for row in cursor.fetchall()]


def distances_recompute(
    *, organization_ids: Collection[int] | None = None, may_shrink: bool = True, fresh: bool = False
) -> int:
    """Rewrite the distances of these organizations (all when None); returns how many pairs are reachable.

    `fresh=True`: the organizations have no rows yet (just imported), so the rows are copied straight into
    the table. Otherwise they go to a temporary table and are merged, writing only the pairs that changed;
    `may_shrink=False` skips looking for pairs that became unreachable. Call inside a transaction holding
    the network lock.
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
    buffer.writelines(distance_rows(organization_ids=organization_ids, storage_ids=storage_ids, routes=network_edges()))
    text = buffer.getvalue()
    reachable = text.count("\n")
    with connection.cursor() as cursor:
        if fresh:
            with cursor.copy(f"COPY {DISTANCE_TABLE} ({DISTANCE_COLUMNS}) FROM STDIN") as copy:
                copy.write(text)
        else:
            _merge(cursor, text, organization_ids, may_shrink=may_shrink)
    logger.info("distances recomputed organizations=%s reachable_pairs=%s", len(organization_ids), reachable)
    return reachable


def _merge(cursor, text: str, organization_ids: list[int], *, may_shrink: bool) -> None:
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS waste_distance_next (organization_id bigint NOT NULL, "
        "storage_id bigint NOT NULL, distance_m bigint NOT NULL, path bigint[] NOT NULL) ON COMMIT DROP"
    )
    cursor.execute("TRUNCATE waste_distance_next")
    # The merge hash-joins up to (organizations x storages) rows; give it memory for one batch.
    cursor.execute("SET LOCAL work_mem = '256MB'")
    with cursor.copy(f"COPY waste_distance_next ({DISTANCE_COLUMNS}) FROM STDIN") as copy:
        copy.write(text)
    cursor.execute("ANALYZE waste_distance_next")
    if may_shrink:
        cursor.execute(
            f"DELETE FROM {DISTANCE_TABLE} d WHERE d.organization_id = ANY(%s) AND NOT EXISTS ("
            "SELECT 1 FROM waste_distance_next n WHERE n.organization_id = d.organization_id "
            "AND n.storage_id = d.storage_id)",
            [organization_ids],
        )
    cursor.execute(
        f"INSERT INTO {DISTANCE_TABLE} AS d ({DISTANCE_COLUMNS}) "
        "SELECT n.organization_id, n.storage_id, n.distance_m, n.path FROM waste_distance_next n "
        f"LEFT JOIN {DISTANCE_TABLE} o ON o.organization_id = n.organization_id AND o.storage_id = n.storage_id "
        "WHERE o.id IS NULL OR o.distance_m <> n.distance_m OR o.path <> n.path "
        "ON CONFLICT (organization_id, storage_id) DO UPDATE SET distance_m = EXCLUDED.distance_m, "
        "path = EXCLUDED.path WHERE d.distance_m <> EXCLUDED.distance_m OR d.path <> EXCLUDED.path"
    )
