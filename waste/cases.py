"""Case 1 of brief 004 (the picture `004_case_1.jpg`), as data, and a builder that resets it.

Organizations start full (stock = limit) and storages empty; nothing is disposed while building.
"""

from django.db import transaction
from django.db.models import Q

from waste.models import Organization, OrganizationWaste, Route, Storage, StorageRoom, Transfer
from waste.services.network import distances_recompute, network_lock

CASE_1_ORGANIZATIONS: dict[str, dict[str, int]] = {
    "ОО1": {"plastic": 10, "glass": 50, "bio": 50},
    "ОО2": {"plastic": 60, "glass": 20, "bio": 50},
}
CASE_1_STORAGES: dict[str, dict[str, int]] = {
    "МНО1": {"plastic": 100, "glass": 300},
    "МНО2": {"plastic": 50, "bio": 150},
    "МНО3": {"plastic": 10, "bio": 250},
    "МНО5": {"glass": 220, "bio": 25},
    "МНО6": {"glass": 100, "bio": 150},
    "МНО7": {"plastic": 100, "bio": 250},
    "МНО8": {"plastic": 25, "glass": 35, "bio": 52},
    "МНО9": {"plastic": 250, "bio": 20},
}
# (from, to, metres, two-way). The unlabelled "100 м" under МНО1 is read as МНО1 ↔ МНО2 (see issue 8).
CASE_1_ROUTES: list[tuple[str, str, int, bool]] = [
    ("ОО1", "МНО1", 100, False),
    ("ОО1", "МНО2", 50, False),
    ("ОО1", "МНО3", 600, False),
    ("ОО2", "МНО3", 50, False),
    ("МНО1", "МНО8", 500, False),
    ("МНО8", "МНО9", 10, True),
    ("МНО2", "МНО5", 50, True),
    ("МНО3", "МНО7", 50, True),
    ("МНО3", "МНО6", 600, False),
    ("МНО1", "МНО2", 100, True),
]


@transaction.atomic
def case_1_build() -> tuple[list[Organization], list[Storage]]:
    """(Re)build case 1: its sites are deleted with their routes and transfers, then created afresh."""
    network_lock(shared=False)
    organization_names, storage_names = list(CASE_1_ORGANIZATIONS), list(CASE_1_STORAGES)
    Transfer.objects.filter(Q(organization__name__in=organization_names) | Q(storage__name__in=storage_names)).delete()
    Organization.objects.filter(name__in=organization_names).delete()
    Storage.objects.filter(name__in=storage_names).delete()

    organizations = {name: Organization.objects.create(name=name) for name in organization_names}
    storages = {name: Storage.objects.create(name=name) for name in storage_names}
    OrganizationWaste.objects.bulk_create(
        OrganizationWaste(organization=organizations[name], waste_type=waste_type, limit=limit, stock=limit)
        for name, limits in CASE_1_ORGANIZATIONS.items()
        for waste_type, limit in limits.items()
    )
    StorageRoom.objects.bulk_create(
        StorageRoom(storage=storages[name], waste_type=waste_type, capacity=capacity, stored=0)
        for name, capacities in CASE_1_STORAGES.items()
        for waste_type, capacity in capacities.items()
    )
    Route.objects.bulk_create(
        Route(
            from_organization=organizations.get(source),
            from_storage=storages.get(source),
            to_storage=storages[target],
            distance_m=distance,
            two_way=two_way,
        )
        for source, target, distance, two_way in CASE_1_ROUTES
    )
    # Deleting the old sites may have cut paths of other organizations too: recompute everyone.
    distances_recompute()
    return list(organizations.values()), list(storages.values())
