"""A small builder of networks for the waste tests: sites by name, then routes, then distances."""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from tests.config.factories import UserFactory
from tests.conftest import bearer
from tests.waste.factories import OrganizationFactory, OrganizationWasteFactory, StorageFactory, StorageRoomFactory
from waste.models import Organization, Route, Storage
from waste.services import distances_recompute


@dataclass
class Network:
    organizations: dict[str, Organization] = field(default_factory=dict)
    storages: dict[str, Storage] = field(default_factory=dict)

    def site(self, name: str) -> Organization | Storage:
        return self.organizations.get(name) or self.storages[name]


def build_network(
    *,
    organizations: dict[str, dict[str, tuple[int, int]]],
    storages: dict[str, dict[str, tuple[int, int]]],
    routes: list[tuple[str, str, int, bool]] = (),
) -> Network:
    """organizations: name → {type: (stock, limit)}; storages: name → {type: (stored, capacity)};
    routes: (from, to, metres, two_way). Nothing is disposed while building."""
    network = Network()
    with transaction.atomic():
        for name, wastes in organizations.items():
            network.organizations[name] = organization = OrganizationFactory(name=name)
            for waste_type, (stock, limit) in wastes.items():
                OrganizationWasteFactory(organization=organization, waste_type=waste_type, stock=stock, limit=limit)
        for name, rooms in storages.items():
            network.storages[name] = storage = StorageFactory(name=name)
            for waste_type, (stored, capacity) in rooms.items():
                StorageRoomFactory(storage=storage, waste_type=waste_type, stored=stored, capacity=capacity)
        Route.objects.bulk_create(
            Route(
                from_organization=network.organizations.get(source),
                from_storage=network.storages.get(source),
                to_storage=network.storages[target],
                distance_m=distance,
                two_way=two_way,
            )
            for source, target, distance, two_way in routes
        )
        distances_recompute()
    return network


@pytest.fixture
def small():
    """ОО → A (10 m) → B (5 m, two-way); A takes plastic and bio, B glass; `lonely` is unreachable."""
    return build_network(
        organizations={"ОО": {"plastic": (0, 10), "glass": (0, 50)}},
        storages={"A": {"plastic": (0, 4), "bio": (0, 100)}, "B": {"glass": (0, 300)}, "lonely": {"glass": (0, 9)}},
        routes=[("ОО", "A", 10, False), ("A", "B", 5, True)],
    )


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    """A JWT of a staff user: the network's operator."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(staff_user))
    client.user = staff_user
    return client
