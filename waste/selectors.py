"""Reads of the waste app; each returns a queryset with a fixed number of queries per page."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.db.models.functions import Collate

from config.api import not_found_message
from waste.exceptions import OrganizationNotFoundError, RouteNotFoundError, StorageNotFoundError
from waste.models import WASTE_TYPES, Membership, Organization, OrganizationWaste, Route, Storage, StorageRoom, Transfer


def organization_list(*, name: str | None = None) -> QuerySet[Organization]:
    organizations = Organization.objects.prefetch_related("wastes").order_by("id")
    if name:
        organizations = organizations.filter(name__icontains=name)
    return organizations


def organization_get(*, organization_id: int) -> Organization:
    organization = organization_list().filter(pk=organization_id).first()
    if organization is None:
        raise OrganizationNotFoundError(not_found_message("organization", organization_id))
    return organization


def organization_ref(*, organization_id: int) -> Organization:
    """The organization alone (no wastes), one query: what a disposal starts from; 404 when unknown."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise OrganizationNotFoundError(not_found_message("organization", organization_id))
    return organization


def organization_has_member(*, organization_id: int, user: AbstractBaseUser) -> bool:
    return Membership.objects.filter(organization_id=organization_id, user_id=user.pk).exists()


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("added_at", "id")


def storage_list(*, name: str | None = None) -> QuerySet[Storage]:
    storages = Storage.objects.with_rooms().order_by("id")
    if name:
        storages = storages.filter(name__icontains=name)
    return storages


# One page of storages as the API answers it (`{"count", "items"}`, each item in StorageOutputSerializer's shape,
# types in WASTE_TYPES order), written by PostgreSQL in one statement: the read every client of the network polls.
# The ORM needs three round trips for it, and serializing and rendering the page in Python took most of its time.
STORAGE_PAGE_SQL = f"""
SELECT json_build_object(
    'count', (SELECT count(*) FROM {Storage._meta.db_table} s {{where}}),
    'items', COALESCE(json_agg(json_build_object(
        'id', p.id, 'name', p.name,
        'capacity', COALESCE(r.capacity, json_build_object()), 'room', COALESCE(r.room, json_build_object())
    ) ORDER BY p.id), '[]'))::text
FROM (SELECT s.id, s.name FROM {Storage._meta.db_table} s {{where}} ORDER BY s.id LIMIT %s OFFSET %s) p
LEFT JOIN LATERAL (
    SELECT json_object_agg(r.waste_type, r.capacity ORDER BY array_position(%s, r.waste_type::text)) AS capacity,
           json_object_agg(r.waste_type, json_build_object(
               'capacity', r.capacity, 'stored', r.stored, 'free', r.capacity - r.stored
           ) ORDER BY array_position(%s, r.waste_type::text)) AS room
    FROM {StorageRoom._meta.db_table} r WHERE r.storage_id = p.id
) r ON true
"""


def storage_page_json(*, name: str | None = None, limit: int, offset: int) -> str:
    """`{"count", "items"}` of `storage_list(name=name)`, one page of it, as JSON text: one query."""
    where, params = "", []
    if name:
        where, params = "WHERE UPPER(s.name::text) LIKE UPPER(%s)", [f"%{connection.ops.prep_for_like_query(name)}%"]
    with connection.cursor() as cursor:
        types = list(WASTE_TYPES)
        cursor.execute(STORAGE_PAGE_SQL.format(where=where), [*params, *params, limit, offset, types, types])
        return cursor.fetchone()[0]


def storage_get(*, storage_id: int) -> Storage:
    storage = storage_list().filter(pk=storage_id).first()
    if storage is None:
        raise StorageNotFoundError(not_found_message("storage", storage_id))
    return storage


def route_list() -> QuerySet[Route]:
    return Route.objects.select_related("from_organization", "from_storage", "to_storage").order_by("id")


def route_get(*, route_id: int) -> Route:
    route = route_list().filter(pk=route_id).first()
    if route is None:
        raise RouteNotFoundError(not_found_message("route", route_id))
    return route


def organization_storages(*, organization: Organization) -> QuerySet[Storage]:
    """Every storage with its distance and path from the organization: reachable nearest first, then the rest.

    Each storage carries `distance_m` and `path` (storage ids) annotations, None when unreachable.
    """
    return (
        Storage.objects.annotate(
            route=FilteredRelation("distances", condition=Q(distances__organization_id=organization.pk)),
            distance_m=F("route__distance_m"),
            path=F("route__path"),
        )
        .with_rooms()
        # Names compare by code point, the tie-break disposal uses (`allocation.plan`).
        .order_by(F("distance_m").asc(nulls_last=True), Collate("name", "C"), "id")
    )


def storage_names(*, storage_ids: Iterable[int]) -> dict[int, str]:
    """Names of the storages on a page of paths, in one query."""
    ids = set(storage_ids)
    if not ids:
        return {}
    return dict(Storage.objects.filter(pk__in=ids).values_list("id", "name"))


def transfer_list(
    *, organization_id: int | None = None, storage_id: int | None = None, waste_type: str | None = None
) -> QuerySet[Transfer]:
    transfers = Transfer.objects.order_by("-id")
    if organization_id is not None:
        transfers = transfers.filter(organization_id=organization_id)
    if storage_id is not None:
        transfers = transfers.filter(storage_id=storage_id)
    if waste_type is not None:
        transfers = transfers.filter(waste_type=waste_type)
    return transfers


def network_export() -> dict:
    """The whole network in the import shape, with ids: `network_import` of it into an empty database
    rebuilds the same network (ids aside). Five queries, whatever the size."""
    wastes: dict[int, dict] = {}
    for organization_id, waste_type, stock, limit in OrganizationWaste.objects.order_by(
        "organization_id", "waste_type"
    ).values_list("organization_id", "waste_type", "stock", "limit"):
        wastes.setdefault(organization_id, {})[waste_type] = {"limit": limit, "stock": stock}
    capacities: dict[int, dict] = {}
    for storage_id, waste_type, capacity in StorageRoom.objects.order_by("storage_id", "waste_type").values_list(
        "storage_id", "waste_type", "capacity"
    ):
        capacities.setdefault(storage_id, {})[waste_type] = capacity
    organizations = dict(Organization.objects.order_by("id").values_list("id", "name"))
    storages = dict(Storage.objects.order_by("id").values_list("id", "name"))
    routes = Route.objects.order_by("id").values_list(
        "id", "from_organization_id", "from_storage_id", "to_storage_id", "distance_m", "two_way"
    )
    return {
        "organizations": [
            {"id": pk, "name": name, "waste": _in_type_order(wastes.get(pk, {}))} for pk, name in organizations.items()
        ],
        "storages": [
            {"id": pk, "name": name, "capacity": _in_type_order(capacities.get(pk, {}))}
            for pk, name in storages.items()
        ],
        "routes": [
            {
                "id": pk,
                "from": organizations[from_organization] if from_organization else storages[from_storage],
                "to": storages[to_storage],
                "distance_m": distance_m,
                "two_way": two_way,
            }
            for pk, from_organization, from_storage, to_storage, distance_m, two_way in routes
        ],
    }


def _in_type_order(per_type: dict) -> dict:
    return {waste_type: per_type[waste_type] for waste_type in WASTE_TYPES if waste_type in per_type}
