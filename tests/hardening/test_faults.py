"""Outages of real services: Redis unreachable, PostgreSQL connections killed, gunicorn stopped mid-load."""

import os
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from books.models import Author, Book
from tests.config.factories import UserFactory
from tests.conftest import bearer

READ_PATHS = [
    "/books?limit=50",
    "/books/{book_id}",
    "/authors?limit=50",
    "/authors/{author_id}",
    "/pets?limit=50",
    "/deals",
    "/waste/organizations",
    "/waste/storages",
]


@pytest.fixture
def demo_data(transactional_db):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)


def reader() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(UserFactory()), HTTP_X_API_KEY=settings.API_KEY)
    return client


@pytest.mark.parametrize("path", READ_PATHS)
def test_reads_answer_the_same_with_redis_down(demo_data, closed_port, path):
    book = Book.objects.order_by("id").first()
    author = Author.objects.order_by("id").first()
    path = path.format(book_id=book.id, author_id=author.id)
    client = reader()
    warm = [client.get(path) for _ in range(2)]  # the second answer comes from the cache
    assert warm[0].status_code == warm[1].status_code == 200
    assert warm[0].json() == warm[1].json()

    unreachable = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}
    with override_settings(CACHES={"default": unreachable}):
        cold = client.get(path)
    assert cold.status_code == 200
    assert cold.json() == warm[0].json()


def kill_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def get(url: str, headers: dict) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_web_recovers_when_its_database_connections_are_killed(live_gunicorn):
    headers = {"Authorization": bearer(UserFactory())}
    # Touch every worker thread so each holds a persistent connection, then kill them all.
    assert all(get(f"{live_gunicorn}/books", headers) == 200 for _ in range(16))
    assert kill_other_connections() >= 1
    assert [get(f"{live_gunicorn}/books", headers) for _ in range(16)] == [200] * 16


@pytest.mark.django_db(transaction=True)
def test_gunicorn_finishes_in_flight_requests_on_sigterm(gunicorn_server):
    headers = {"Authorization": bearer(UserFactory())}
    statuses: list[int] = []
    broken: list[BaseException] = []
    started = threading.Barrier(9)

    def load() -> None:
        started.wait()
        for _ in range(5):
            try:
                statuses.append(get(f"{gunicorn_server.url}/books?limit=100", headers))
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError):
                    broken.append(error)
                return  # refused at connect: sent after the listener closed, which is expected
            except OSError as error:  # reset or cut mid-response: an in-flight request was dropped
                broken.append(error)
                return

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    started.wait()
    gunicorn_server.process.terminate()
    for thread in threads:
        thread.join(timeout=30)
    assert gunicorn_server.process.wait(timeout=30) == 0
    assert broken == []
    assert statuses, "no request completed"
    assert set(statuses) == {200}
