"""Outages of real services: Redis unreachable, PostgreSQL connections killed, gunicorn stopped mid-load."""

import io
import os
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django.test import override_settings
from rest_framework.test import APIClient

from books.models import Author, Book
from deals.services import SWITCH_LOCK_KEY
from tests.config.factories import UserFactory
from tests.conftest import bearer, database_url, terminate_other_connections, wait_for_lock_waiters

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
    assert terminate_other_connections() >= 1
    assert [get(f"{live_gunicorn}/books", headers) for _ in range(16)] == [200] * 16


def deals_csv(rows: int) -> bytes:
    lines = ["customer,item,total,quantity,date"]
    lines += [f"customer{n % 97},gem{n % 13},{n % 500}.25,{n % 7 + 1},2020-01-01 10:00:00" for n in range(rows)]
    return "\n".join(lines).encode()


def upload(url: str, token: str, body: bytes) -> int:
    boundary = "----fault-test-boundary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="deals"; filename="deals.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{url}/deals",
        data=payload,
        method="POST",
        headers={"Authorization": token, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return response.status


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_gunicorn_finishes_in_flight_requests_on_sigterm(gunicorn_server):
    """Uploads in flight when gunicorn gets SIGTERM all finish.

    The test holds the dataset-switch lock, so every upload loads its rows and then waits inside the database,
    where pg_stat_activity shows it; SIGTERM comes once all of them wait, and the lock is let go after. Four
    uploads: fewer than one worker's database pool (WEB_DB_POOL_SIZE=8), so none is left waiting for a connection
    however the two workers share them.
    """
    token = bearer(UserFactory())
    body = deals_csv(20_000)
    outcomes: list[object] = []

    def send() -> None:
        try:
            outcomes.append(upload(gunicorn_server.url, token, body))
        except OSError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=send) for _ in range(4)]
    with psycopg.connect(database_url(), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [SWITCH_LOCK_KEY])
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(4, timeout=60)
        assert outcomes == []
        gunicorn_server.process.terminate()
        holder.execute("SELECT pg_advisory_unlock(%s)", [SWITCH_LOCK_KEY])
    for thread in threads:
        thread.join(timeout=90)
    assert gunicorn_server.process.wait(timeout=60) == 0
    assert outcomes == [200] * 4


class PausingFile(io.RawIOBase):
    """A file that serves `head`, then blocks until `resume` is set, then serves `tail`."""

    def __init__(self, head: bytes, tail: bytes) -> None:
        self.parts, self.resume = [head, tail], threading.Event()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if len(self.parts) == 1:
            self.resume.wait(timeout=30)
        if not self.parts or not self.parts[0]:
            return 0
        chunk, self.parts[0] = self.parts[0][: len(buffer)], self.parts[0][len(buffer) :]
        if not self.parts[0]:
            self.parts.pop(0)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def copy_backend_pid(timeout: float = 20) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND query ILIKE 'COPY%%' AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
        if row:
            return row[0]
        time.sleep(0.05)
    return None


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_deals_upload_cut_mid_copy_leaves_the_previous_dataset(closed_port):
    from deals.models import Deal
    from deals.selectors import deals_top_customers
    from deals.services import dataset_replace
    from tests.deals.conftest import SMALL_CSV, SMALL_EXPECTED

    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    rows_before = Deal.objects.count()
    big = deals_csv(200_000)
    half = len(big) // 2
    stream = PausingFile(big[:half], big[half:])
    outcome: list[object] = []

    def replace() -> None:
        try:
            outcome.append(dataset_replace(file=io.BufferedReader(stream)))
        except Exception as error:  # noqa: BLE001 - the test inspects what the cut produced
            outcome.append(error)
        finally:
            connections.close_all()

    uploader = threading.Thread(target=replace)
    uploader.start()
    pid = copy_backend_pid()
    assert pid is not None, "the upload never reached COPY"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    stream.resume.set()
    uploader.join(timeout=60)

    assert len(outcome) == 1
    assert isinstance(outcome[0], OperationalError | psycopg.OperationalError), outcome
    # Readers see the previous dataset: no half-copied rows, the same top-5 answer (also with Redis down).
    assert Deal.objects.count() == rows_before
    assert deals_top_customers() == SMALL_EXPECTED
    unreachable = {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}
    with override_settings(CACHES={"default": unreachable}):
        assert deals_top_customers() == SMALL_EXPECTED
