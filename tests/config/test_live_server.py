import json
import urllib.error
import urllib.request

import pytest

from tests.conftest import start_gunicorn, stop_gunicorn


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_health_ready_and_docs(live_gunicorn):
    with urllib.request.urlopen(f"{live_gunicorn}/ready", timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert json.load(response)["status"] == "ok"
    with urllib.request.urlopen(f"{live_gunicorn}/docs", timeout=10) as response:  # noqa: S310
        assert b"swagger-ui" in response.read()


@pytest.mark.django_db(transaction=True)
def test_the_gthread_setup_serves_too(transactional_db, closed_port):
    """WEB_WORKER_CLASS=gthread (compose and Kubernetes, behind a buffering proxy) serves the same application."""
    server = start_gunicorn(closed_port, WEB_WORKER_CLASS="gthread")
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/books", timeout=10)  # noqa: S310
        with urllib.request.urlopen(f"{server.url}/health", timeout=10) as response:  # noqa: S310
            assert json.load(response)["status"] == "ok"
    finally:
        stop_gunicorn(server)
    assert refused.value.code == 401
    assert json.load(refused.value)["code"] == "not_authenticated"
