"""Organizations and storages: create, update, delete, and emptying a storage (recycling).

Both kinds of site have a name and one amount per waste type (an organization's limit, a storage's capacity)
that may not drop below what is held (stock, stored): `_rename` and `_replace_amounts` are that shared shape.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Model

from waste.exceptions import CapacityBelowStoredError, NameTakenError, WasteTypeNotEquippedError
from waste.models import Organization, OrganizationWaste, Storage, StorageRoom, Transfer
from waste.services.disposal import dispatch_pending, lock_pending_wastes
from waste.services.network import distances_recompute, lock_site, network_lock, organizations_reaching


def _name_taken(site: Organization | Storage) -> NameTakenError:
    return NameTakenError(f"{site._meta.verbose_name} named {site.name!r} already exists", field="name")


def _save_named(site: Organization | Storage) -> None:
    if type(site).objects.filter(name=site.name).exclude(pk=site.pk).exists():
        raise _name_taken(site)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as exc:  # a concurrent request took the name between the check and the write
        raise _name_taken(site) from exc


def _rename(site: Organization | Storage, name: str | None) -> None:
    if name is not None and name != site.name:
        site.name = name
        _save_named(site)


def _replace_amounts(
    *, model: type[Model], owner: dict[str, object], amounts: Mapping[str, int], held: str, amount: str, what: str
) -> bool:
    """Replace the per-type rows of one site (`owner`: its foreign key) by `amounts`; True when any grew.

    A type left out is removed; no amount may drop below what is `held` of its type.
    """
    rows = {row.waste_type: row for row in model.objects.select_for_update().filter(**owner).order_by("pk")}
    for waste_type, row in rows.items():
        wanted, holding = amounts.get(waste_type, 0), getattr(row, held)
        if holding > wanted:
            raise CapacityBelowStoredError(
                f"{waste_type}: the {what} {wanted} is below the {holding} already held", type=waste_type
            )
    grew = any(value > getattr(rows[t], amount) if t in rows else value > 0 for t, value in amounts.items())
    model.objects.filter(**owner).exclude(waste_type__in=list(amounts)).delete()
    for waste_type, value in amounts.items():
        model.objects.update_or_create(**owner, waste_type=waste_type, defaults={amount: value})
    return grew


@transaction.atomic
def organization_create(*, name: str, limits: Mapping[str, int]) -> Organization:
    """A new organization producing the waste types of `limits` (type → the most it may hold)."""
    organization = Organization(name=name)
    _save_named(organization)
    OrganizationWaste.objects.bulk_create(
        OrganizationWaste(organization=organization, waste_type=waste_type, limit=limit, stock=0)
        for waste_type, limit in limits.items()
    )
    return organization


@transaction.atomic
def organization_update(
    *, organization: Organization, name: str | None = None, limits: Mapping[str, int] | None = None
) -> Organization:
    """Rename and/or replace the produced types; a limit cannot drop below the stock already held."""
    lock_site(organization)
    _rename(organization, name)
    if limits is not None:
        owner = {"organization": organization}
        _replace_amounts(
            model=OrganizationWaste, owner=owner, amounts=limits, held="stock", amount="limit", what="limit"
        )
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization) -> None:
    """Delete the organization with its routes, distances and members; its transfers stay in the history."""
    network_lock()
    lock_site(organization)
    organization.delete()


@transaction.atomic
def storage_create(*, name: str, capacity: Mapping[str, int]) -> tuple[Storage, list[Transfer]]:
    """A new storage equipped for the types of `capacity`; waiting waste is dispatched."""
    network_lock()
    storage = Storage(name=name)
    _save_named(storage)
    StorageRoom.objects.bulk_create(
        StorageRoom(storage=storage, waste_type=waste_type, capacity=amount, stored=0)
        for waste_type, amount in capacity.items()
    )
    return storage, dispatch_pending()


@transaction.atomic
def storage_update(
    *, storage: Storage, name: str | None = None, capacity: Mapping[str, int] | None = None
) -> tuple[Storage, list[Transfer]]:
    """Rename and/or re-equip the storage; new or larger room dispatches waiting waste."""
    network_lock()
    lock_site(storage)
    _rename(storage, name)
    if capacity is None:
        return storage, []
    waiting = lock_pending_wastes()  # before any room: see the lock order in waste.services.disposal
    owner = {"storage": storage}
    grew = _replace_amounts(
        model=StorageRoom, owner=owner, amounts=capacity, held="stored", amount="capacity", what="capacity"
    )
    return storage, dispatch_pending(wastes=waiting) if grew else []


@transaction.atomic
def storage_delete(*, storage: Storage) -> None:
    """Delete the storage, its rooms and routes; the distances that went through it are recomputed."""
    network_lock()
    lock_site(storage)
    affected = organizations_reaching(storage_ids=[storage.pk])
    storage.delete()
    distances_recompute(organization_ids=affected)


@transaction.atomic
def storage_empty(*, storage: Storage, waste_types: list[str] | None = None) -> tuple[Storage, list[Transfer]]:
    """Recycling: the storage's rooms (all, or the given types) are emptied and waiting waste dispatched."""
    lock_site(storage)
    equipped = set(StorageRoom.objects.filter(storage=storage).values_list("waste_type", flat=True))
    for waste_type in waste_types or []:
        if waste_type not in equipped:
            raise WasteTypeNotEquippedError(f"storage {storage.pk} is not equipped for {waste_type}", type=waste_type)
    waiting = lock_pending_wastes()  # before any room: see the lock order in waste.services.disposal
    rooms = StorageRoom.objects.filter(storage=storage)
    if waste_types is not None:
        rooms = rooms.filter(waste_type__in=waste_types)
    rooms.update(stored=0)
    return storage, dispatch_pending(wastes=waiting)


@transaction.atomic
def sites_delete_with_history(*, organization_names: list[str], storage_names: list[str]) -> None:
    """Delete these sites (if present) and their transfers: a demo network is rebuilt from scratch."""
    network_lock()
    Transfer.objects.filter(organization__name__in=organization_names).delete()
    Transfer.objects.filter(storage__name__in=storage_names).delete()
    deleted = set(Organization.objects.filter(name__in=organization_names).values_list("id", flat=True))
    storage_ids = Storage.objects.filter(name__in=storage_names).values_list("id", flat=True)
    affected = organizations_reaching(storage_ids=list(storage_ids)) - deleted
    Organization.objects.filter(name__in=organization_names).delete()
    Storage.objects.filter(name__in=storage_names).delete()
    distances_recompute(organization_ids=affected)
