"""Routes of the network: every change updates the affected distances in the same transaction."""

from django.db import transaction

from config.api import not_found_message
from waste.exceptions import NotFoundError, RouteInvalidError, RouteNotFoundError
from waste.models import Organization, Route, Storage, Transfer
from waste.services.disposal import dispatch_pending, lock_pending_wastes
from waste.services.distances import distances_update, route_edges
from waste.services.network import lock_site, network_lock


def _check_no_duplicate(route: Route) -> None:
    same = Route.objects.exclude(pk=route.pk).filter(to_storage_id=route.to_storage_id)
    if route.from_organization_id is not None:
        if same.filter(from_organization_id=route.from_organization_id).exists():
            raise RouteInvalidError("this route already exists", field="to_storage")
        return
    if same.filter(from_storage_id=route.from_storage_id).exists():
        raise RouteInvalidError("this route already exists", field="to_storage")
    reverse = Route.objects.exclude(pk=route.pk).filter(
        from_storage_id=route.to_storage_id, to_storage_id=route.from_storage_id
    )
    if route.two_way and reverse.exists():
        raise RouteInvalidError("a route between these storages already exists", field="two_way")
    if reverse.filter(two_way=True).exists():
        raise RouteInvalidError("a two-way route between these storages already exists", field="to_storage")


def _validate(route: Route) -> None:
    if route.distance_m is None or route.distance_m <= 0:
        raise RouteInvalidError("distance_m must be a positive number of metres", field="distance_m")
    if route.from_organization_id is None and route.from_storage_id is None:
        raise RouteInvalidError("a route starts at an organization or a storage", field="from_storage")
    if route.from_organization_id is not None and route.from_storage_id is not None:
        raise RouteInvalidError("a route starts at one site only", field="from_organization")
    if route.from_storage_id == route.to_storage_id:
        raise RouteInvalidError("a route cannot lead from a storage to itself", field="to_storage")
    if route.two_way and route.from_organization_id is not None:
        raise RouteInvalidError(
            "two-way routes connect two storages; waste never goes to an organization", field="two_way"
        )
    _check_no_duplicate(route)


def _dispatch_for(organization_ids: set[int]) -> list[Transfer]:
    """Waiting waste of the organizations that gained a shorter or new path may move now."""
    if not organization_ids:
        return []
    return dispatch_pending(wastes=lock_pending_wastes(organization_ids=organization_ids))


@transaction.atomic
def route_create(
    *,
    to_storage: Storage,
    distance_m: int,
    from_organization: Organization | None = None,
    from_storage: Storage | None = None,
    two_way: bool = False,
) -> tuple[Route, list[Transfer]]:
    """Add a route; the new paths may carry waiting waste, which is dispatched."""
    network_lock()
    route = Route(
        from_organization=from_organization,
        from_storage=from_storage,
        to_storage=to_storage,
        distance_m=distance_m,
        two_way=two_way,
    )
    for field, site in (
        ("from_organization", from_organization),
        ("from_storage", from_storage),
        ("to_storage", to_storage),
    ):
        if site is not None:
            try:
                lock_site(site)
            except NotFoundError as exc:  # deleted after the input was validated: still bad input
                raise RouteInvalidError(f"{field} {site.pk} no longer exists", field=field) from exc
    _validate(route)
    route.save()
    improved = distances_update(before={}, after=route_edges(route))
    return route, _dispatch_for(improved)


@transaction.atomic
def route_update(
    *, route: Route, distance_m: int | None = None, two_way: bool | None = None
) -> tuple[Route, list[Transfer]]:
    """Change the length or the direction of a route (its ends are fixed: delete and create instead)."""
    network_lock()
    locked = Route.objects.select_for_update().filter(pk=route.pk).first()
    if locked is None:
        raise RouteNotFoundError(not_found_message("route", route.pk))
    route, before = locked, route_edges(locked)
    if distance_m is not None:
        route.distance_m = distance_m
    if two_way is not None:
        route.two_way = two_way
    _validate(route)
    route.save(update_fields=["distance_m", "two_way"])
    improved = distances_update(before=before, after=route_edges(route))
    return route, _dispatch_for(improved)


@transaction.atomic
def route_delete(*, route: Route) -> None:
    """Remove a route; the pairs whose paths used it are recomputed (waste already moved stays where it is)."""
    network_lock()
    locked = Route.objects.select_for_update().filter(pk=route.pk).first()
    if locked is None:
        raise RouteNotFoundError(not_found_message("route", route.pk))
    before = route_edges(locked)
    Route.objects.filter(pk=route.pk).delete()
    distances_update(before=before, after={})
