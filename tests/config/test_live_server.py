import json
import urllib.request

import pytest


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_health_ready_and_docs(live_gunicorn):
    with urllib.request.urlopen(f"{live_gunicorn}/ready", timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert json.load(response)["status"] == "ok"
    with urllib.request.urlopen(f"{live_gunicorn}/docs", timeout=10) as response:  # noqa: S310
        assert b"swagger-ui" in response.read()
