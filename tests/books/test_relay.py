"""The outbox relay against the real PostgreSQL and RabbitMQ."""

import datetime
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pika
import pytest
from django.conf import settings
from django.db import connection, connections

from books.events import SCHEMA_VERSION, envelope
from books.models import OutboxEvent
from books.relay import Publisher, Relay, relay_batch
from tests.conftest import database_url
from tests.grpc_service.fixtures import record_event, wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def unsent() -> int:
    return OutboxEvent.objects.filter(published_at__isnull=True).count()


def test_envelope_is_versioned_and_carries_the_payload():
    event = record_event("book.updated", book_id=7, title="Solaris")
    body = envelope(event)
    assert body == {
        "schema_version": SCHEMA_VERSION,
        "event_id": str(event.event_id),
        "type": "book.updated",
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {"id": 7, "title": "Solaris"},
    }


def test_publishes_in_id_order_with_persistent_json_messages(broker, publisher):
    types = ["book.created", "book.updated", "book.updated", "book.deleted", "book.created"]
    events = [record_event(event_type, book_id=index + 1) for index, event_type in enumerate(types)]

    assert relay_batch(publisher=publisher, batch_size=100) == len(events)

    messages = broker.drain(expect=len(events))
    assert [json.loads(body)["event_id"] for _, _, body in messages] == [str(event.event_id) for event in events]
    for (method, properties, _), event in zip(messages, events, strict=True):
        assert method.routing_key == event.type
        assert properties.message_id == str(event.event_id)
        assert properties.delivery_mode == pika.DeliveryMode.Persistent.value
        assert properties.content_type == "application/json"
    assert unsent() == 0
    assert relay_batch(publisher=publisher, batch_size=100) == 0
    assert broker.drain() == []


def test_batches_respect_the_batch_size(broker, publisher):
    for book_id in range(1, 8):
        record_event("book.created", book_id=book_id)
    assert [relay_batch(publisher=publisher, batch_size=3) for _ in range(4)] == [3, 3, 1, 0]
    assert len(broker.drain(expect=7)) == 7


def test_unreachable_broker_keeps_rows_then_delivers_each_once(broker, closed_port):
    events = [record_event("book.created", book_id=book_id) for book_id in range(1, 6)]
    relay = Relay(
        amqp_url=f"amqp://guest:guest@127.0.0.1:{closed_port}/%2F",
        exchange=broker.exchange,
        reconnect_times=2,
        reconnect_delay=0.01,
    )

    assert relay.drain() == 0
    assert unsent() == len(events)

    relay.set_amqp_url(settings.AMQP_URL)
    assert relay.drain() == len(events)
    assert relay.drain() == 0
    relay.publisher.close()

    ids = [json.loads(body)["event_id"] for _, _, body in broker.drain(expect=len(events))]
    assert ids == [str(event.event_id) for event in events]
    assert unsent() == 0


def test_two_concurrent_relays_never_publish_a_row_twice(broker):
    total = 300
    OutboxEvent.objects.bulk_create(
        OutboxEvent(type="book.created", aggregate_id=book_id, payload={"id": book_id, "title": "t"})
        for book_id in range(1, total + 1)
    )
    counts: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def relay_all(name: str) -> None:
        pub = Publisher(amqp_url=settings.AMQP_URL, exchange=broker.exchange)
        pub.connect()
        try:
            barrier.wait()
            sent = 0
            while (batch := relay_batch(publisher=pub, batch_size=7)) > 0:
                sent += batch
            counts[name] = sent
        finally:
            pub.close()
            connections.close_all()

    threads = [threading.Thread(target=relay_all, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    ids = [json.loads(body)["event_id"] for _, _, body in broker.drain(expect=total)]
    assert len(ids) == total
    assert len(set(ids)) == total
    assert sum(counts.values()) == total
    assert unsent() == 0


def test_wakes_on_notify_long_before_the_sweep(broker, run_relay):
    relay_thread = run_relay(sweep_seconds=120)
    assert relay_thread.relay.listening.wait(10)
    event = record_event("book.created", book_id=1)
    messages = broker.drain(expect=1, timeout=10)  # the 120 s sweep cannot be what delivered it
    assert [json.loads(body)["event_id"] for _, _, body in messages] == [str(event.event_id)]


def test_sweep_delivers_rows_written_without_notify(broker, run_relay):
    run_relay(sweep_seconds=0.3)
    event = OutboxEvent.objects.create(type="book.deleted", aggregate_id=3, payload={"id": 3, "title": "t"})
    messages = broker.drain(expect=1, timeout=10)
    assert [json.loads(body)["event_id"] for _, _, body in messages] == [str(event.event_id)]


def test_relay_events_command_stops_cleanly_on_sigterm(broker):
    events = [record_event("book.created", book_id=book_id) for book_id in range(1, 4)]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_DB_NAME": db["NAME"],
        "CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "relay_events", "--exchange", broker.exchange, "--sweep-seconds", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert len(broker.drain(expect=len(events), timeout=20)) == len(events)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "relay stopped, 3 events published" in stdout
    assert unsent() == 0


def test_relay_survives_a_broker_connection_drop(broker, amqp_proxy, run_relay):
    relay_thread = run_relay(amqp_url=amqp_proxy.url, reconnect_times=2, reconnect_delay=0.05, sweep_seconds=0.2)
    first = record_event("book.created", book_id=1)
    assert len(broker.drain(expect=1)) == 1

    amqp_proxy.cut()
    second = record_event("book.updated", book_id=1)
    assert wait_until(lambda: not relay_thread.relay.publisher.connected, timeout=10)
    assert OutboxEvent.objects.get(pk=second.pk).published_at is None
    amqp_proxy.restore()

    messages = broker.drain(expect=1, timeout=15)
    assert [json.loads(body)["event_id"] for _, _, body in messages] == [str(second.event_id)]
    assert wait_until(lambda: unsent() == 0)  # committed right after the broker's confirm
    assert broker.drain(timeout=0.5) == []
    assert first.event_id != second.event_id


def test_a_database_outage_does_not_stop_the_relay(broker, monkeypatch, closed_port):
    event = record_event("book.created", book_id=1)
    relay = Relay(exchange=broker.exchange)
    outcomes: list[int] = []

    def drain_in_fresh_thread() -> None:
        # A new thread opens a new connection, with whatever settings are in force now.
        thread = threading.Thread(target=lambda: (outcomes.append(relay.drain()), connections.close_all()))
        thread.start()
        thread.join(30)

    real_port = connection.settings_dict["PORT"]
    monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port))
    drain_in_fresh_thread()
    monkeypatch.setitem(connection.settings_dict, "PORT", real_port)
    drain_in_fresh_thread()
    relay.publisher.close()

    assert outcomes == [0, 1]
    assert [json.loads(body)["event_id"] for _, _, body in broker.drain(expect=1)] == [str(event.event_id)]


def test_an_idle_relay_keeps_its_broker_connection(broker, run_relay, caplog):
    """The broker drops a connection silent for two heartbeat intervals; a relay waiting for work must not be.

    The client proposes a 1 s heartbeat, then the relay idles for six intervals before the next write.
    """
    relay_thread = run_relay(amqp_url=f"{settings.AMQP_URL}?heartbeat=1", sweep_seconds=60)
    assert relay_thread.relay.listening.wait(timeout=20)  # a write from now on wakes it at once
    record_event("book.created", book_id=1)
    assert len(broker.drain(expect=1)) == 1
    with caplog.at_level(logging.INFO):
        time.sleep(6)  # the idleness under test, not a stand-in for synchronisation
        written = time.monotonic()
        record_event("book.updated", book_id=1)
        assert len(broker.drain(expect=1, timeout=5)) == 1
        latency = time.monotonic() - written
    assert latency < 1.0, f"the event after idling took {latency:.2f} s"
    assert relay_thread.thread.is_alive()
    noisy = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert noisy == [], [record.getMessage() for record in noisy]
    assert not [record for record in caplog.records if "idle broker connection was lost" in record.getMessage()]


@pytest.mark.parametrize(("waiting_seconds", "healthy"), [(None, True), (10, True), (600, False)])
def test_relay_healthcheck_fails_when_an_event_waits_too_long(waiting_seconds, healthy):
    from django.core.management import CommandError, call_command
    from django.utils import timezone

    if waiting_seconds is not None:
        event = record_event("book.created", book_id=1)
        OutboxEvent.objects.filter(pk=event.pk).update(
            occurred_at=timezone.now() - datetime.timedelta(seconds=waiting_seconds)
        )
    if healthy:
        call_command("relay_healthcheck", stdout=open(os.devnull, "w"))  # noqa: SIM115
    else:
        with pytest.raises(CommandError, match="waited"):
            call_command("relay_healthcheck")
