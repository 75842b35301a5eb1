"""Organizations and storages: create, update, delete, and emptying a storage (recycling)."""

from collections.abc import Mapping

from django.db import IntegrityError, transaction

from waste.exceptions import CapacityBelowStoredError, NameTakenError, WasteTypeNotEquippedError
from waste.models import Organization, OrganizationWaste, Storage, StorageRoom, Transfer
from waste.services.disposal import dispatch_pending
from waste.services.network import distances_recompute, lock_site, network_lock, organizations_reaching


def _check_name_free(model: type[Organization] | type[Storage], name: str, exclude_pk: int | None = None) -> None:
    taken = model.objects.filter(name=name).exclude(pk=exclude_pk).exists()
    if taken:
        raise NameTakenError(f"{model._meta.verbose_name} named {name!r} already exists", field="name")


def _save_named(instance: Organization | Storage) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent request took the name between the check and the insert
        raise NameTakenError(
            f"{instance._meta.verbose_name} named {instance.name!r} already exists", field="name"
        ) from exc


@transaction.atomic
def organization_create(*, name: str, limits: Mapping[str, int]) -> Organization:
    """A new organization producing the waste types of `limits` (type → the most it may hold)."""
    _check_name_free(Organization, name)
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
    if name is not None and name != organization.name:
        _check_name_free(Organization, name, exclude_pk=organization.pk)
        organization.name = name
        _save_named(organization)
    if limits is not None:
        wastes = {
            waste.waste_type: waste
            for waste in OrganizationWaste.objects.select_for_update().filter(organization=organization).order_by("pk")
        }
        for waste_type, waste in wastes.items():
            new_limit = limits.get(waste_type, 0)
            if waste.stock > new_limit:
                raise CapacityBelowStoredError(
                    f"{waste_type}: the limit {new_limit} is below the stock {waste.stock}", type=waste_type
                )
        OrganizationWaste.objects.filter(organization=organization).exclude(waste_type__in=list(limits)).delete()
        for waste_type, limit in limits.items():
            OrganizationWaste.objects.update_or_create(
                organization=organization, waste_type=waste_type, defaults={"limit": limit}
            )
    return organization


@transaction.atomic
def organization_delete(*, organization: Organization) -> None:
    """Delete the organization with its routes and distances; its transfers stay in the history."""
    network_lock(shared=False)
    lock_site(organization)
    organization.delete()


@transaction.atomic
def storage_create(*, name: str, capacity: Mapping[str, int]) -> tuple[Storage, list[Transfer]]:
    """A new storage equipped for the types of `capacity`; pending waste is dispatched again."""
    network_lock(shared=False)
    _check_name_free(Storage, name)
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
    """Rename and/or re-equip the storage; new or larger room dispatches pending waste again."""
    network_lock(shared=False)
    lock_site(storage)
    if name is not None and name != storage.name:
        _check_name_free(Storage, name, exclude_pk=storage.pk)
        storage.name = name
        _save_named(storage)
    if capacity is None:
        return storage, []
    rooms = {
        room.waste_type: room for room in StorageRoom.objects.select_for_update().filter(storage=storage).order_by("pk")
    }
    for waste_type, room in rooms.items():
        new_capacity = capacity.get(waste_type, 0)
        if room.stored > new_capacity:
            raise CapacityBelowStoredError(
                f"{waste_type}: the capacity {new_capacity} is below the {room.stored} already stored",
                type=waste_type,
            )
    gained = any(
        amount > (rooms[waste_type].capacity if waste_type in rooms else 0) for waste_type, amount in capacity.items()
    )
    StorageRoom.objects.filter(storage=storage).exclude(waste_type__in=list(capacity)).delete()
    for waste_type, amount in capacity.items():
        StorageRoom.objects.update_or_create(storage=storage, waste_type=waste_type, defaults={"capacity": amount})
    return storage, dispatch_pending() if gained else []


@transaction.atomic
def storage_delete(*, storage: Storage) -> None:
    """Delete the storage, its rooms and routes; the distances that went through it are recomputed."""
    network_lock(shared=False)
    lock_site(storage)
    affected = organizations_reaching(storage_ids=[storage.pk])
    storage.delete()
    distances_recompute(organization_ids=affected)


@transaction.atomic
def storage_empty(*, storage: Storage, waste_types: list[str] | None = None) -> tuple[Storage, list[Transfer]]:
    """Recycling: the storage's rooms (all, or the given types) are emptied and pending waste dispatched."""
    network_lock(shared=False)
    lock_site(storage)
    equipped = set(StorageRoom.objects.filter(storage=storage).values_list("waste_type", flat=True))
    for waste_type in waste_types or []:
        if waste_type not in equipped:
            raise WasteTypeNotEquippedError(f"storage {storage.pk} is not equipped for {waste_type}", type=waste_type)
    rooms = StorageRoom.objects.filter(storage=storage)
    if waste_types is not None:
        rooms = rooms.filter(waste_type__in=waste_types)
    rooms.update(stored=0)
    return storage, dispatch_pending()
