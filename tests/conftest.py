"""Shared fixtures. Every test talks to the real PostgreSQL, Redis and RabbitMQ of the machine."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.config.factories import UserFactory


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each xdist worker has its own key prefix (config.settings.test); empty it around every test."""
    cache.delete_pattern("*")
    yield
    cache.delete_pattern("*")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


def bearer(user) -> str:
    return f"Bearer {RefreshToken.for_user(user).access_token}"


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    client.user = user
    return client


def free_port() -> int:
    """A local TCP port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    return free_port()


ROOT = Path(__file__).resolve().parents[1]


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def database_url() -> str:
    """The URL of the database this test process uses (the test database)."""
    db = connections["default"].settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    """Extra environment of `live_gunicorn`; override this fixture in a test module to change its settings."""
    return {}


@dataclass
class Server:
    url: str
    process: subprocess.Popen


@pytest.fixture
def gunicorn_server(transactional_db, closed_port, gunicorn_env):
    """gunicorn (the production server, config/gunicorn.py) on a free loopback port over the test database.

    Data the test writes through the ORM is committed (transactional_db), so the server sees it; the tables
    are flushed afterwards.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        # Served as in production: DEBUG off (JSON 404/500 handlers, no debug pages).
        "DEBUG": "0",
        "WEB_PORT": str(closed_port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{closed_port}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **gunicorn_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{closed_port}"
    try:
        wait_for_http(f"{base_url}/health")
        yield Server(url=base_url, process=process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        connections.close_all()


@pytest.fixture
def live_gunicorn(gunicorn_server) -> str:
    """The base URL of `gunicorn_server`."""
    return gunicorn_server.url
