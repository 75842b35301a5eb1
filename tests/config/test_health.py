import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.db import connections
from django.test import AsyncClient, override_settings

from config import health

pytestmark = pytest.mark.django_db


def test_health_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_every_component_up(client):
    response = client.get("/ready")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"postgres", "redis", "rabbitmq"}
    for component in body["components"].values():
        assert component["status"] == "up"
        assert component["latency_ms"] >= 0


def test_ready_runs_as_an_async_view_under_asgi():
    assert asyncio.iscoroutinefunction(health.ready)
    response = async_to_sync(AsyncClient().get)("/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("setting", "url_template", "component"),
    [
        ("REDIS_URL", "redis://127.0.0.1:{port}/0", "redis"),
        ("AMQP_URL", "amqp://guest:guest@127.0.0.1:{port}/%2F", "rabbitmq"),
    ],
)
def test_ready_is_503_naming_the_unreachable_component(client, closed_port, setting, url_template, component):
    with override_settings(**{setting: url_template.format(port=closed_port)}):
        response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == [component]
    assert body["components"][component]["status"] == "down"
    assert body["components"][component]["error"] == "unreachable"
    assert str(closed_port) not in response.content.decode()  # no host, port or user leaks into the answer
    others = set(body["components"]) - {component}
    assert all(body["components"][name]["status"] == "up" for name in others)


def test_ready_is_503_naming_postgres_when_it_is_unreachable(client, closed_port):
    settings_dict = connections["default"].settings_dict
    original = settings_dict["PORT"]
    settings_dict["PORT"] = closed_port
    try:
        response = client.get("/ready")
    finally:
        settings_dict["PORT"] = original
    assert response.status_code == 503
    assert response.json()["failed"] == ["postgres"]


@override_settings(READY_CHECK_TIMEOUT=0.3)
def test_ready_times_out_a_component_that_accepts_but_never_answers(client):
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with override_settings(AMQP_URL=f"amqp://guest:guest@127.0.0.1:{port}/%2F"):
            response = client.get("/ready")
    assert response.status_code == 503
    assert "timed out" in response.json()["components"]["rabbitmq"]["error"]
