"""Every error of the API is JSON in every mode, including those Django answers before any view runs."""

import importlib
import json
import urllib.error
import urllib.request

import pytest
from django.test import override_settings

from tests.config.factories import UserFactory
from tests.conftest import bearer

pytestmark = pytest.mark.django_db
DEEP = ("[" * 5000 + "]" * 5000).encode()


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
@pytest.mark.parametrize("path", ["/no/such/page", "/books/abc", "/waste/organizations/x/y", "/media/../x"])
def test_unknown_urls_answer_json_404_whatever_debug_is(client, debug, path):
    with override_settings(DEBUG=debug):
        response = client.get(path)
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] in ("not_found", "bad_request")
    assert "Traceback" not in response.content.decode()
    assert "DATABASES" not in response.content.decode()


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_a_foreign_host_gets_a_json_400_naming_no_settings(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/health", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}


def test_the_admin_keeps_its_html_pages(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "auth"),
    [
        ("/books", "jwt"),
        ("/authors", "jwt"),
        ("/books/1/rating", "jwt"),
        ("/waste/organizations", "staff"),
        ("/waste/routes", "staff"),
        ("/pets", "key"),
        ("/auth/token", None),
        ("/auth/register", None),
    ],
)
@pytest.mark.parametrize(
    ("body", "problem"),
    [(DEEP, "nests too deeply"), (b'{"name": "\\ud800"}', "lone UTF-16 surrogate"), (b'{"\\udfff": 1}', "surrogate")],
    ids=["5,000 levels", "surrogate value", "surrogate key"],
)
def test_json_bodies_that_would_crash_the_parser_are_400(client, path, auth, body, problem):
    headers = {
        "jwt": {"HTTP_AUTHORIZATION": bearer(UserFactory())},
        "staff": {"HTTP_AUTHORIZATION": bearer(UserFactory(is_staff=True))},
        "key": {"HTTP_X_API_KEY": "test-api-key"},
        None: {},
    }[auth]
    method = client.put if path.endswith("/rating") else client.post
    response = method(path, body, content_type="application/json", **headers)
    assert response.status_code == 400, response.content
    assert problem in response.json()["detail"]


def test_gunicorn_binds_loopback_and_its_own_control_socket_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # as if given: the config makes no folder
    monkeypatch.delenv("WEB_HOST", raising=False)
    monkeypatch.setenv("WEB_PORT", "8123")
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    config = importlib.reload(importlib.import_module("config.gunicorn"))
    assert config.bind == "127.0.0.1:8123"
    assert config.control_socket.endswith("gunicorn-8123.ctl")
    monkeypatch.setenv("WEB_HOST", "0.0.0.0")  # noqa: S104 - what docker compose sets
    assert importlib.reload(config).bind == "0.0.0.0:8123"


@pytest.mark.django_db(transaction=True)
def test_gunicorn_does_not_announce_itself(live_gunicorn):
    with urllib.request.urlopen(f"{live_gunicorn}/health") as response:  # noqa: S310 - loopback
        assert response.headers.get("Server") is None
        assert json.load(response) == {"status": "ok"}
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{live_gunicorn}/no/such/page")  # noqa: S310
    assert error.value.headers.get("Server") is None
    assert json.load(error.value)["code"] == "not_found"
