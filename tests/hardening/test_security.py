"""OWASP API Security Top 10 (2023) checks; README "Security" records the review item by item."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from books.models import Book
from tests.books.factories import BookFactory
from tests.config.factories import UserFactory
from tests.conftest import bearer

pytestmark = pytest.mark.django_db


def test_api1_a_users_rating_is_invisible_and_untouchable_by_another_user(api_client):
    book = BookFactory()
    owner, intruder = UserFactory(), UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=bearer(owner))
    assert api_client.put(f"/books/{book.id}/rating", {"score": 5}, format="json").status_code == 200

    api_client.credentials(HTTP_AUTHORIZATION=bearer(intruder))
    assert api_client.get(f"/books/{book.id}/rating").status_code == 404
    assert api_client.delete(f"/books/{book.id}/rating").status_code == 404
    assert api_client.get(f"/books/{book.id}").json()["my_rating"] is None

    book.refresh_from_db()
    assert (book.rating_count, book.rating_sum) == (1, 5)


def test_api2_the_api_key_never_reaches_the_request_log(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/pets?limit=1", HTTP_X_API_KEY=settings.API_KEY)
        client.get("/pets?limit=1", HTTP_X_API_KEY="wrong-key-value")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /pets 200" in logged
    assert settings.API_KEY not in logged
    assert "wrong-key-value" not in logged


@pytest.mark.parametrize("header", ["HTTP_API_KEY", "HTTP_AUTHORIZATION", "HTTP_X_API_TOKEN"])
def test_api2_the_api_key_is_accepted_only_in_its_header(client, header):
    assert client.get("/pets", **{header: settings.API_KEY}).status_code == 401
    assert client.get(f"/pets?api_key={settings.API_KEY}").status_code == 401


def test_api2_jwt_lifetimes_are_short_and_refresh_rotates():
    jwt = settings.SIMPLE_JWT
    assert jwt["ACCESS_TOKEN_LIFETIME"].total_seconds() <= 3600
    assert jwt["ROTATE_REFRESH_TOKENS"] is True
    assert jwt["BLACKLIST_AFTER_ROTATION"] is True


def test_api3_server_managed_fields_are_not_writable(auth_client):
    book = BookFactory()
    response = auth_client.patch(
        f"/books/{book.id}",
        {"rating_sum": 500, "rating_count": 100, "rating": "5.00", "id": 999999, "created_at": "2000-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code in {200, 400}
    book.refresh_from_db()
    assert (book.id, book.rating_sum, book.rating_count, book.rating) == (book.id, 0, 0, None)
    assert not Book.objects.filter(id=999999).exists()


def test_api3_registration_cannot_make_a_staff_user(api_client):
    payload = {"username": "sneaky", "password": "a-long-pass-phrase-42", "is_staff": True, "is_superuser": True}
    assert api_client.post("/auth/register", payload, format="json").status_code == 201
    user = UserFactory._meta.model.objects.get(username="sneaky")
    assert not user.is_staff
    assert not user.is_superuser


@pytest.mark.parametrize("path", ["/books?limit=1000", "/pets?limit=101", "/authors?limit=100000"])
def test_api4_page_size_is_capped(path, auth_client):
    response = auth_client.get(path, HTTP_X_API_KEY=settings.API_KEY)
    assert response.status_code == 400
    assert "limit" in response.json()


def test_api4_request_body_of_plain_fields_is_limited(auth_client):
    oversized = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = auth_client.post("/authors", {"name": "a", "bio": oversized}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_api5_admin_is_for_staff_only(client):
    regular = UserFactory()
    client.force_login(regular)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/books"), ("post", "/authors"), ("post", "/deals"), ("post", "/waste/organizations")],
)
def test_api5_writes_need_a_jwt(api_client, method, path):
    assert getattr(api_client, method)(path, {}, format="json").status_code == 401


def test_api8_security_headers(client):
    response = client.get("/health")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_api8_unknown_host_is_refused(client):
    assert client.get("/health", HTTP_HOST="evil.example.com").status_code == 400


def test_api8_admin_login_is_csrf_protected():
    UserFactory(username="admin-user", is_staff=True, is_superuser=True)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/admin/login/", {"username": "admin-user", "password": "whatever"})
    assert response.status_code == 403


def test_api8_session_cookies_do_not_authenticate_the_api():
    """Only JWT authenticates the API, so a browser session (admin) cannot be ridden by cross-site requests."""
    client = APIClient()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.post("/authors", {"name": "Ridden"}, format="json").status_code == 401


def registered_paths(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    paths = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths |= registered_paths(pattern, route)
        elif isinstance(pattern, URLPattern):
            paths.add(route)
    return paths


def test_api9_schema_lists_every_endpoint(client):
    documented = set(client.get("/schema", HTTP_ACCEPT="application/json").json()["paths"])
    # Not REST API operations: the admin, the schema and its UI, media files, the Prometheus scrape endpoint, and
    # the web client's pages with the redirect of `/` to them.
    undocumented_by_design = ("admin/", "schema", "docs", "^media/", "metrics", "app", "^app/")
    for route in registered_paths():
        if route == "" or route.startswith(undocumented_by_design):
            continue
        openapi_path = "/" + route.replace("<int:", "{").replace("<uuid:", "{").replace("<str:", "{").replace(">", "}")
        assert openapi_path in documented, f"{route} is routed but missing from /schema"
