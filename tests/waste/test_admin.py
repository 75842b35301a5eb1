"""The Django admin of the waste app: pages load, and deletes go through the services."""

import pytest

from tests.config.factories import UserFactory
from tests.waste.conftest import build_network
from waste.models import Distance, StorageRoom, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def small():
    return build_network(
        organizations={"ОО": {"glass": (5, 10)}},
        storages={"A": {"glass": (3, 3)}, "B": {}},
        routes=[("ОО", "B", 1, False), ("B", "A", 1, False)],
    )


@pytest.mark.parametrize("model", ["organization", "storage", "route", "distance", "transfer"])
def test_admin_pages_load(admin_client, model):
    network = small()
    assert admin_client.get(f"/admin/waste/{model}/").status_code == 200
    if model in ("organization", "storage"):
        site = network.organizations["ОО"] if model == "organization" else network.storages["A"]
        assert admin_client.get(f"/admin/waste/{model}/{site.pk}/change/").status_code == 200


def test_admin_storage_delete_recomputes_distances(admin_client):
    network = small()
    response = admin_client.post(f"/admin/waste/storage/{network.storages['B'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Distance.objects.exists()  # A was reachable only through B


def test_admin_empty_action_dispatches(admin_client):
    network = small()
    response = admin_client.post(
        "/admin/waste/storage/", {"action": "empty", "_selected_action": [network.storages["A"].pk]}
    )
    assert response.status_code == 302
    assert StorageRoom.objects.get().stored == 3
    assert Transfer.objects.get().amount == 3
