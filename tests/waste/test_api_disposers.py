"""Who may generate and dispose: checked by the disposal statement itself, answered in words by the full checks."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.config.factories import UserFactory
from tests.conftest import bearer
from tests.waste.conftest import build_network
from waste.exceptions import DisposerNotAllowedError
from waste.models import Membership, OrganizationWaste, StorageRoom, Transfer
from waste.services import disposal, organization_dispose, organization_generate
from waste.services.disposal_statement import FUNCTION, function_sql

pytestmark = pytest.mark.django_db

ENDPOINTS = [("generate", {"glass": 3}), ("dispose", None)]


@pytest.fixture
def network():
    """ОО (3 glass waiting) → S; ОО2 has a member of its own."""
    return build_network(
        organizations={"ОО": {"glass": (3, 50)}, "ОО2": {"glass": (0, 50)}},
        storages={"S": {"glass": (0, 100)}},
        routes=[("ОО", "S", 5, False)],
    )


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


def member_of(organization, **fields):
    user = UserFactory(**fields)
    Membership.objects.create(organization=organization, user=user)
    return user


def nothing_changed() -> bool:
    return (
        not Transfer.objects.exists()
        and not StorageRoom.objects.filter(stored__gt=0).exists()
        and list(OrganizationWaste.objects.order_by("id").values_list("stock", flat=True)) == [3, 0]
    )


@pytest.mark.parametrize(("action", "body"), ENDPOINTS)
@pytest.mark.parametrize("who", ["staff", "member"])
def test_staff_and_members_dispose(network, action, body, who):
    organization = network.organizations["ОО"]
    user = UserFactory(is_staff=True) if who == "staff" else member_of(organization)
    response = client_of(user).post(f"/waste/organizations/{organization.pk}/{action}", body)
    assert response.status_code == 200, response.json()
    assert Transfer.objects.get().amount == (6 if action == "generate" else 3)


@pytest.mark.parametrize(("action", "body"), ENDPOINTS)
@pytest.mark.parametrize("who", ["stranger", "member of another"])
def test_others_get_a_403_naming_the_organization_and_nothing_changes(network, action, body, who):
    organization = network.organizations["ОО"]
    user = UserFactory() if who == "stranger" else member_of(network.organizations["ОО2"])
    response = client_of(user).post(f"/waste/organizations/{organization.pk}/{action}", body)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    assert response.json()["organization"] == {"id": organization.pk, "name": "ОО"}
    assert nothing_changed()


@pytest.mark.parametrize(("action", "body"), ENDPOINTS)
@pytest.mark.parametrize("how", ["inactive staff", "inactive member", "deleted"])
def test_a_token_of_an_inactive_or_deleted_user_is_a_401(network, action, body, how):
    organization = network.organizations["ОО"]
    if how == "inactive staff":
        user = UserFactory(is_staff=True, is_active=False)
    else:
        user = member_of(organization, is_active=how != "inactive member")
    client = client_of(user)
    if how == "deleted":
        user.delete()
    response = client.post(f"/waste/organizations/{organization.pk}/{action}", body)
    assert response.status_code == 401
    assert response.json()["code"] == ("user_not_found" if how == "deleted" else "user_inactive")
    assert nothing_changed()


@pytest.mark.parametrize(("action", "body"), ENDPOINTS)
def test_a_stranger_asking_for_an_unknown_organization_gets_a_404(network, action, body):
    response = client_of(UserFactory()).post(f"/waste/organizations/999999/{action}", body)
    assert response.status_code == 404
    assert response.json()["code"] == "organization_not_found"


def test_a_stranger_with_a_bad_body_gets_the_403_first(network):
    organization = network.organizations["ОО"]
    response = client_of(UserFactory()).post(f"/waste/organizations/{organization.pk}/generate", {"glass": -1})
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["staff", "member"])
def test_a_disposal_request_is_one_statement_with_its_user_check(network, django_assert_num_queries, who):
    """As served (no ATOMIC_REQUESTS): no query for the user; the disposal's statement checks them."""
    organization = network.organizations["ОО"]
    client = client_of(UserFactory(is_staff=True) if who == "staff" else member_of(organization))
    with django_assert_num_queries(1):
        response = client.post(f"/waste/organizations/{organization.pk}/generate", {"glass": 1})
    assert response.json()["left"] == {"glass": 0}


@pytest.mark.parametrize("optimistic_attempts", [2, 0], ids=["one statement", "general path"])
@pytest.mark.parametrize("service", [organization_generate, organization_dispose])
def test_services_refuse_a_user_who_may_not_dispose(network, monkeypatch, optimistic_attempts, service):
    monkeypatch.setattr(disposal, "OPTIMISTIC_ATTEMPTS", optimistic_attempts)
    organization = network.organizations["ОО"]
    amounts = {"amounts": {"glass": 1}} if service is organization_generate else {}
    for user in (UserFactory(), member_of(network.organizations["ОО2"]), member_of(organization, is_active=False)):
        with pytest.raises(DisposerNotAllowedError):
            service(organization=organization, user_id=user.pk, **amounts)
    assert nothing_changed()
    member = member_of(organization)
    assert service(organization=organization, user_id=member.pk, **amounts).transfers[0].amount in (3, 4)


def test_the_installed_function_is_the_statement_of_the_code():
    """A change of the statement needs a migration installing it again; this fails until there is one."""
    expected = function_sql().split("$function$")[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc, proconfig FROM pg_proc WHERE proname = %s", [FUNCTION])
        [(source, config)] = cursor.fetchall()
    assert source == expected
    assert config == ["plan_cache_mode=force_generic_plan"]
