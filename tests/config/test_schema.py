import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    assert document["openapi"].startswith("3.")
    assert {"/health", "/ready", "/auth/token", "/auth/register", "/auth/me"} <= set(document["paths"])


def test_schema_endpoint_serves_the_document(client):
    response = client.get("/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_schema_declares_bearer_jwt(client):
    schemes = client.get("/schema", HTTP_ACCEPT="application/json").json()["components"]["securitySchemes"]
    assert schemes["jwtAuth"]["scheme"] == "bearer"


def test_swagger_ui_loads_only_local_assets(client):
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = [url for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if url.startswith("http")]
    assert external == []
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
