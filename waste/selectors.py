"""Reads of the waste app; each returns a queryset with a fixed number of queries per page."""

from collections.abc import Iterable

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.db.models.functions import Collate

from waste.exceptions import OrganizationNotFoundError, RouteNotFoundError, StorageNotFoundError
from waste.models import Organization, Route, Storage, Transfer


def organization_list() -> QuerySet[Organization]:
    return Organization.objects.prefetch_related("wastes").order_by("id")


def organization_get(*, organization_id: int) -> Organization:
    organization = organization_list().filter(pk=organization_id).first()
    if organization is None:
        raise OrganizationNotFoundError(f"organization {organization_id} not found")
    return organization


def storage_list() -> QuerySet[Storage]:
    return Storage.objects.prefetch_related("rooms").order_by("id")


def storage_get(*, storage_id: int) -> Storage:
    storage = storage_list().filter(pk=storage_id).first()
    if storage is None:
        raise StorageNotFoundError(f"storage {storage_id} not found")
    return storage


def route_list() -> QuerySet[Route]:
    return Route.objects.select_related("from_organization", "from_storage", "to_storage").order_by("id")


def route_get(*, route_id: int) -> Route:
    route = route_list().filter(pk=route_id).first()
    if route is None:
        raise RouteNotFoundError(f"route {route_id} not found")
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
        .prefetch_related("rooms")
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
