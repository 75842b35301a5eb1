import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import bearer
from tests.pets.factories import PetFactory

ENDPOINTS = [
    ("get", "/pets"),
    ("post", "/pets"),
    ("delete", "/pets"),
    ("post", "/pets/6796fa0d-f405-4363-881d-6d3694a9655c/photo"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Missing X-API-KEY header."),
        ({"HTTP_X_API_KEY": ""}, "Missing X-API-KEY header."),
        ({"HTTP_X_API_KEY": "wrong-key"}, "Invalid X-API-KEY header."),
        ({"HTTP_X_API_KEY": "test-api-key "}, "Invalid X-API-KEY header."),
        ({"HTTP_X_API_KEY": "TEST-API-KEY"}, "Invalid X-API-KEY header."),
        ({"HTTP_X_API_KEY": "ключ"}, "Invalid X-API-KEY header."),
        ({"HTTP_AUTHORIZATION": "test-api-key"}, "Missing X-API-KEY header."),
        ({"HTTP_API_KEY": "test-api-key"}, "Missing X-API-KEY header."),
        ({"HTTP_X_API_TOKEN": "test-api-key"}, "Missing X-API-KEY header."),
    ],
)
def test_requests_without_the_right_key_are_401(api_client, method, path, headers, detail):
    pets_before = PetFactory.create_batch(2)
    response = getattr(api_client, method)(path, {"ids": [str(pets_before[0].id)]}, format="json", **headers)
    assert response.status_code == 401
    code = "api_key_missing" if detail.startswith("Missing") else "api_key_invalid"
    assert response.json() == {"detail": detail, "code": code}
    assert response["WWW-Authenticate"] == 'ApiKey header="X-API-KEY"'
    assert len(type(pets_before[0]).objects.all()) == 2  # nothing was deleted or created


@pytest.mark.django_db
def test_a_jwt_is_not_a_key(api_client, user):
    response = api_client.get("/pets", HTTP_AUTHORIZATION=bearer(user))
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_key_in_the_query_string_is_not_accepted(api_client):
    assert api_client.get("/pets", {"api_key": settings.API_KEY, "X-API-KEY": settings.API_KEY}).status_code == 401


@pytest.mark.django_db
def test_the_right_key_is_accepted(api_client):
    assert api_client.get("/pets", HTTP_X_API_KEY="test-api-key").status_code == 200


def _django_setup(**env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"API_KEY", "DEBUG"}}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.base", SECRET_KEY="x" * 50, **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_app_refuses_to_start_with_an_empty_key_unless_debug():
    refused = _django_setup(DEBUG="0", API_KEY="")
    assert refused.returncode != 0
    assert "API_KEY is empty or a published example while DEBUG is off" in refused.stderr
    assert _django_setup(DEBUG="1", API_KEY="").returncode == 0
    assert _django_setup(DEBUG="0", API_KEY="k").returncode == 0
