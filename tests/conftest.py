"""Shared fixtures. Every test talks to the real PostgreSQL, Redis and RabbitMQ of the machine."""

import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import boto3
import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.config.factories import UserFactory

# Fixtures shared across test packages (broker, relay, consumer, gRPC server), registered once for every test.
pytest_plugins = ["tests.grpc_service.fixtures"]


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


def run_in_threads(*targets: Callable[[], object], timeout: float = 120) -> list[object]:
    """Start the callables together (behind a barrier), each in its own thread with its own database connection.

    Returns what each returned or raised, in order; fails when a thread is still running after `timeout`
    (a deadlock or a hang).
    """
    barrier = threading.Barrier(len(targets))
    results: list[object] = [None] * len(targets)

    def runner(index: int, target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(index, target)) for index, target in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


def errors_of_concurrent(work: Callable[[int], None], count: int, timeout: float = 120) -> list[BaseException]:
    """Run `work(0)` … `work(count - 1)` at once (see `run_in_threads`); the exceptions they raised."""
    results = run_in_threads(*(functools.partial(work, index) for index in range(count)), timeout=timeout)
    return [result for result in results if isinstance(result, BaseException)]


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
    """DATABASE_URL of the test database this process uses, for servers and child processes a test starts."""
    db = connections["default"].settings_dict
    credentials = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def terminate_other_connections() -> int:
    """pg_terminate_backend every other connection to this test database (xdist workers each have their own)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


class ChildProcess:
    """`python <args>` as a child process over the test database; stdout and stderr kept line by line."""

    def __init__(self, args: list[str], **env: str) -> None:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then the exit code (killed, and the test fails on the timeout, if it does not stop in time)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.reader.join(5)


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    """Extra environment of `live_gunicorn`; override this fixture in a test module to change its settings."""
    return {}


@dataclass
class Server:
    url: str
    process: subprocess.Popen


def start_gunicorn(port: int, **extra_env: str) -> Server:
    """gunicorn (the production server, config/gunicorn.py) on loopback `port` over the test database, DEBUG off
    as in production (JSON 404/500 handlers, no debug pages); stop it with `stop_gunicorn`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "WEB_PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(url=f"http://127.0.0.1:{port}", process=process)
    try:
        wait_for_http(f"{server.url}/health")
    except TimeoutError:
        stop_gunicorn(server)
        raise
    return server


def stop_gunicorn(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(10)


@pytest.fixture
def gunicorn_server(transactional_db, closed_port, gunicorn_env):
    """`start_gunicorn` on a free port for one test. Data the test writes through the ORM is committed
    (transactional_db), so the server sees it; the tables are flushed afterwards."""
    server = start_gunicorn(closed_port, **gunicorn_env)
    try:
        yield server
    finally:
        stop_gunicorn(server)
        connections.close_all()


@pytest.fixture
def live_gunicorn(gunicorn_server) -> str:
    """The base URL of `gunicorn_server`."""
    return gunicorn_server.url


def wait_for_lock_waiters(count: int, timeout: float = 10) -> None:
    """Until `count` backends of this database wait on a lock (what pg_stat_activity shows, not a sleep)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url(), autocommit=True) as observer:
        while time.monotonic() < deadline:
            waiting = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting >= count:
                return
            time.sleep(0.01)
    raise AssertionError(f"no {count} lock waiter(s) within {timeout} s")


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto in server mode on a loopback port: a real HTTP S3 endpoint (not an in-process mock)."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/moto-api/")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_new_bucket(s3_endpoint) -> tuple:
    """(boto3 client, name) of a bucket of its own on moto's server."""
    name = f"pets-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=name)
    return client, name
