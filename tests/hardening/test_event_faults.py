"""Faults in the book-event pipeline, against the real PostgreSQL and RabbitMQ (issue 10, "Faults").

- RabbitMQ unreachable (a test-owned TCP proxy cut) during 200 REST book writes: every write succeeds, and once the
  proxy is restored all 200 events reach the consumer, each handled once.
- Every PostgreSQL backend of the `python -m grpc_service` process killed: the next calls succeed without a retry.
- SIGTERM to `python -m grpc_service` under load: calls in flight finish OK, the process exits 0.
- SIGTERM to `manage.py relay_events` mid-publishing: exit 0; a second run publishes the rest; each event reaches
  the exchange exactly once.

Each test has its own exchange and queues (tests/grpc_service/fixtures.py), so xdist workers and a running
`make run` stack never see each other's messages; the real services are never stopped.
"""

import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from django.conf import settings
from django.db import connection, transaction

from books.cache import LISTS, versions_replace
from books.models import OutboxEvent
from books.outbox import outbox_record
from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from grpc_service.models import ConsumedEvent
from tests.conftest import ChildProcess, free_port, terminate_other_connections
from tests.grpc_service.fixtures import access_token, authorized_channel, consumed_lines, make_book, wait_until

ROOT = Path(__file__).resolve().parents[2]
CONSUMED = re.compile(r"^event consumed event_id=(?P<event_id>\S+) type=(?P<type>\S+) book_id=(?P<book_id>\d+) ")

pytestmark = pytest.mark.django_db(transaction=True)


# --- helpers ---------------------------------------------------------------------------------------------------


@pytest.fixture
def children():
    """Start child processes; any still running at teardown is killed before the test database is flushed."""
    started: list[ChildProcess] = []

    def start(args: list[str], **env: str) -> ChildProcess:
        started.append(ChildProcess(args, **{"AMQP_URL": settings.AMQP_URL, **env}))
        return started[-1]

    yield start
    for child in started:
        child.kill()


def start_sidecar(children, broker, **env: str) -> tuple[ChildProcess, int]:
    port = free_port()
    sidecar = children(
        ["-m", "grpc_service"],
        GRPC_PORT=str(port),
        BOOK_EVENTS_EXCHANGE=broker.topology.exchange,
        BOOK_EVENTS_QUEUE=broker.topology.queue,
        **env,
    )
    return sidecar, port


def other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


# --- 1. RabbitMQ down during 200 book writes -------------------------------------------------------------------
CUT_AFTER = 40  # writes before the broker goes away


def test_rabbitmq_down_during_200_writes_then_every_event_is_handled_once(
    auth_client, broker, amqp_proxy, run_relay, run_consumer, consumed_log
):
    consumer = run_consumer(amqp_url=amqp_proxy.url)
    relay = run_relay(amqp_url=amqp_proxy.url)
    # The relay connects to the broker, then LISTENs; `publisher.connected` is only safe to read once it LISTENs.
    assert wait_until(relay.relay.listening.is_set, timeout=15)
    assert relay.relay.publisher.connected
    response = auth_client.post("/authors", {"name": "Octavia E. Butler"}, format="json")
    assert response.status_code == 201, response.content
    author_id = response.json()["id"]

    statuses: list[tuple[str, int]] = []
    book_ids: list[int] = []
    for index in range(200):  # 120 creates, 50 renames, 30 deletes
        if index == CUT_AFTER:
            # Both connections drop and new ones are refused: a broker outage as the clients see it. The relay
            # may be publishing the first writes' events right now.
            amqp_proxy.cut()
            last_before_cut = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first()
        if index < 120:
            payload = {"title": f"Book {index}", "published_on": "1993-10-01", "author_ids": [author_id]}
            response = auth_client.post("/books", payload, format="json")
            book_ids.append(response.json().get("id"))
            statuses.append(("POST", response.status_code))
        elif index < 170:
            book_id = book_ids[index - 120]
            response = auth_client.patch(f"/books/{book_id}", {"title": f"Book {book_id} (revised)"}, format="json")
            statuses.append(("PATCH", response.status_code))
        else:
            statuses.append(("DELETE", auth_client.delete(f"/books/{book_ids[index - 170]}").status_code))

    expected = {"POST": 201, "PATCH": 200, "DELETE": 204}
    assert [status for method, status in statuses if status != expected[method]] == []
    outbox = dict(OutboxEvent.objects.values_list("event_id", "type"))
    assert len(outbox) == 200
    # Nothing written during the outage got through.
    assert not OutboxEvent.objects.filter(id__gt=last_before_cut, published_at__isnull=False).exists()
    assert ConsumedEvent.objects.count() <= CUT_AFTER
    assert not consumer.ready.is_set()

    amqp_proxy.restore()
    # Both sides reconnect on their own (backoff up to 8 s) and the relay drains the outbox.
    assert wait_until(lambda: ConsumedEvent.objects.count() >= 200, timeout=45), (
        f"{ConsumedEvent.objects.count()} of 200 events handled"
    )
    assert wait_until(lambda: not OutboxEvent.objects.filter(published_at__isnull=True).exists(), timeout=10)
    time.sleep(1)  # room for a late duplicate to show up, were there one

    handled = list(ConsumedEvent.objects.values_list("event_id", flat=True))
    assert sorted(map(str, handled)) == sorted(map(str, outbox))
    lines = [CONSUMED.match(line).groupdict() for line in consumed_lines(consumed_log)]
    assert Counter(line["event_id"] for line in lines) == Counter(str(event_id) for event_id in outbox)
    # Delivery is at least once: a message the broker took just as the proxy was cut, before its confirm reached
    # the relay, is published again, and deliveries the consumer had not acked are redelivered. The consumer's
    # dedup by event_id turns any such copy into a "duplicate event" line, never a second handling.
    duplicates = [line.split()[2] for line in consumed_log if line.startswith("duplicate event ")]
    assert {f"event_id={line['event_id']}" for line in lines}.issuperset(duplicates)
    # Per book, the consumer saw the changes in the order they were made.
    for position, book_id in enumerate(book_ids):
        types = [line["type"] for line in lines if line["book_id"] == str(book_id)]
        assert types == ["book.created", "book.updated", "book.deleted"][: 1 + (position < 50) + (position < 30)]
    assert relay.relay.published_total == 200


# --- 2. PostgreSQL connections killed under the gRPC sidecar ---------------------------------------------------
def test_grpc_sidecar_recovers_when_its_database_connections_are_killed(children, broker):
    books = [make_book(f"Book {index}") for index in range(5)]
    # Production connection settings: persistent connections (CONN_MAX_AGE 60) with health checks.
    sidecar, port = start_sidecar(children, broker, GRPC_MAX_WORKERS="4", CONN_MAX_AGE="60")
    with authorized_channel(f"127.0.0.1:{port}", access_token()) as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        stub = books_pb2_grpc.BookServiceStub(channel)

        def calls(rounds: int) -> list[str]:
            # No retry anywhere: one failure fails the test.
            titles = []
            for _ in range(rounds):
                for book in books:
                    titles.append(stub.GetBook(books_pb2.GetBookRequest(id=book.pk), timeout=10).title)
                titles.append(str(stub.ListBooks(books_pb2.ListBooksRequest(page_size=10), timeout=10).total_size))
            return titles

        def concurrently(rounds: int) -> list[list[str]]:
            results: list[list[str]] = [[] for _ in range(8)]
            errors: list[BaseException] = []

            def work(slot: int) -> None:
                try:
                    results[slot] = calls(rounds)
                except grpc.RpcError as error:
                    errors.append(error)

            threads = [threading.Thread(target=work, args=(slot,)) for slot in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert errors == [], [f"{error.code()}: {error.details()}" for error in errors]
            return results

        expected = [*(f"Book {index}" for index in range(5)), "5"]
        # Warm every worker thread so each holds a persistent connection, then kill them all.
        assert concurrently(3) == [expected * 3] * 8
        assert wait_until(lambda: other_backends() >= 2, timeout=10), "the sidecar holds no persistent connection"
        assert terminate_other_connections() >= 2
        assert calls(1) == expected  # the very next call, on one worker
        assert concurrently(2) == [expected * 2] * 8  # and every worker
    assert sidecar.terminate() == 0, sidecar.output


# --- 3. SIGTERM to the gRPC sidecar mid-load -------------------------------------------------------------------
CLIENTS = 6


def waiting_on_a_lock(cursor) -> int:
    # Inside a transaction pg_stat_activity is a snapshot taken at the first read: drop it to see the present.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return cursor.fetchone()[0]


@dataclass
class Call:
    started: float
    finished: float
    code: grpc.StatusCode


def test_grpc_sidecar_finishes_calls_in_flight_on_sigterm_and_exits_0(children, broker):
    for index in range(50):
        make_book(f"Book {index}", authors=(f"Author {index}",))
    sidecar, port = start_sidecar(children, broker)
    calls: list[Call] = []
    stop = threading.Event()
    with authorized_channel(f"127.0.0.1:{port}", access_token()) as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        stub = books_pb2_grpc.BookServiceStub(channel)

        def load() -> None:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    reply = stub.ListBooks(books_pb2.ListBooksRequest(page_size=100), timeout=20)
                    code = grpc.StatusCode.OK if reply.total_size == 50 else grpc.StatusCode.DATA_LOSS
                except grpc.RpcError as error:
                    code = error.code()
                calls.append(Call(started, time.monotonic(), code))
                if code != grpc.StatusCode.OK:
                    return

        threads = [threading.Thread(target=load) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        try:
            assert wait_until(lambda: len(calls) >= 30, timeout=20), "the load did not start"
            # Hold the books table so that every client's next call is provably executing in the server (its
            # worker waits on the lock) when the signal arrives: those are the calls in flight. The cached page is
            # made stale (the sidecar shares this test's cache), so the next calls read the table.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE books_book IN ACCESS EXCLUSIVE MODE")
                versions_replace([LISTS])
                blocked = wait_until(lambda: waiting_on_a_lock(cursor) >= CLIENTS, timeout=10)
                assert blocked, Counter(call.code.name for call in calls)
                signalled = time.monotonic()
                sidecar.process.send_signal(signal.SIGTERM)
                time.sleep(1)  # the server is in its grace period, waiting for them
                assert sidecar.process.poll() is None, sidecar.output
            exit_code = sidecar.process.wait(timeout=30)
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
    sidecar.kill()
    assert exit_code == 0, sidecar.output

    in_flight = [call for call in calls if call.started < signalled < call.finished]
    assert len(in_flight) == CLIENTS
    assert {call.code for call in calls if call.started < signalled} == {grpc.StatusCode.OK}
    # Calls sent after the signal are refused: UNAVAILABLE (GOAWAY, or connection refused once the listener is
    # closed), or CANCELLED when gRPC core had received the stream but not yet handed it to a worker as the
    # shutdown began (such a call never ran). Nothing else: no UNKNOWN/INTERNAL, no DEADLINE_EXCEEDED.
    late = {call.code for call in calls if call.started > signalled}
    assert late <= {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED}


# --- 4. SIGTERM to the relay mid-publishing --------------------------------------------------------------------
ROWS = 400


def test_relay_stopped_mid_publishing_loses_and_duplicates_nothing(children, broker):
    with transaction.atomic():
        for index in range(ROWS):
            outbox_record(event_type="book.created", aggregate_id=index + 1, payload={"id": index + 1, "title": "x"})
    rows = set(map(str, OutboxEvent.objects.values_list("event_id", flat=True)))
    relay_args = ["manage.py", "relay_events", "--batch-size", "5", "--sweep-seconds", "0.5"]
    published = OutboxEvent.objects.filter(published_at__isnull=False)

    first = children(relay_args, BOOK_EVENTS_EXCHANGE=broker.exchange)
    assert wait_until(lambda: published.count() >= 20, timeout=30, interval=0.01), first.output
    assert first.terminate() == 0, first.output
    done_first = published.count()
    assert 20 <= done_first < ROWS, f"the relay was not stopped mid-publishing ({done_first} of {ROWS})"
    assert f"relay stopped, {done_first} events published" in first.output

    second = children(relay_args, BOOK_EVENTS_EXCHANGE=broker.exchange)
    assert wait_until(lambda: published.count() == ROWS, timeout=30), second.output
    assert second.terminate() == 0, second.output
    assert f"relay stopped, {ROWS - done_first} events published" in second.output

    # SIGTERM only stops the loop between batches, and a batch's rows are marked published in the transaction
    # that holds them, after the broker confirmed every message: a clean stop can neither lose nor repeat one.
    # (Only a crash between the confirm and the commit repeats a batch; the consumer dedupes by event_id.)
    messages = broker.drain(expect=ROWS, timeout=15)
    message_ids = Counter(properties.message_id for _, properties, _ in messages)
    assert len(messages) == ROWS
    assert set(message_ids) == rows
    assert max(message_ids.values()) == 1
