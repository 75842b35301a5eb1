"""The admin login is throttled per client address and per username."""

import pytest
from django.test import Client, override_settings

from tests.config.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_admin_throttle")]


@pytest.fixture
def clear_admin_throttle():
    from django.core.cache import cache

    cache.delete_pattern("*admin-login:*")
    yield
    cache.delete_pattern("*admin-login:*")


def login(username: str, password: str, address: str = "10.1.1.1") -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    return response.status_code


@override_settings(ADMIN_LOGIN_MAX_FAILURES=3)
def test_guessing_one_password_is_stopped_after_the_limit():
    staff = UserFactory(is_staff=True)
    assert [login(staff.username, f"guess-{n}") for n in range(3)] == [200, 200, 200]  # the form again
    assert login(staff.username, "guess-3") == 429
    assert login(staff.username, DEFAULT_PASSWORD) == 429  # not even the right password gets through now


@override_settings(ADMIN_LOGIN_MAX_FAILURES=3)
def test_the_username_is_protected_from_many_addresses():
    staff = UserFactory(is_staff=True)
    for n in range(3):
        login(staff.username, f"guess-{n}", address=f"10.2.0.{n}")
    assert login(staff.username.upper(), "guess-x", address="10.2.0.99") == 429


@override_settings(ADMIN_LOGIN_MAX_FAILURES=3)
def test_an_address_spraying_usernames_is_stopped():
    for n in range(3):
        login(f"someone-{n}", "guess", address="10.3.3.3")
    assert login("someone-else", "guess", address="10.3.3.3") == 429
    assert login("someone-else", "guess", address="10.3.3.4") == 200


def test_a_right_password_logs_in_and_is_not_counted():
    staff = UserFactory(is_staff=True)
    assert login(staff.username, DEFAULT_PASSWORD) == 302
