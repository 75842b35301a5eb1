"""End to end: REST write → outbox row → relay → RabbitMQ → the sidecar's consumer logs one line per change."""

import re

import pytest
from django.db import transaction

from books.models import OutboxEvent
from grpc_service.models import ConsumedEvent
from tests.grpc_service.fixtures import consumed_lines, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
LINE = re.compile(r"^event consumed event_id=(?P<event_id>\S+) type=(?P<type>\S+) book_id=(?P<book_id>\d+) title=")


def parsed(records: list[str]) -> list[dict]:
    return [LINE.match(line).groupdict() for line in consumed_lines(records)]


def create_author(client, name: str = "Ursula K. Le Guin") -> int:
    response = client.post("/authors", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def create_book(client, author_id: int, title: str) -> int:
    response = client.post(
        "/books", {"title": title, "published_on": "1969-03-01", "author_ids": [author_id]}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_create_update_delete_log_one_line_each_in_order_per_book(
    auth_client, broker, run_relay, run_consumer, consumed_log
):
    run_consumer()
    run_relay()
    author_id = create_author(auth_client)

    first = create_book(auth_client, author_id, "The Dispossessed")
    second = create_book(auth_client, author_id, "The Lathe of Heaven")
    assert (
        auth_client.patch(f"/books/{first}", {"title": "The Dispossessed (2nd ed.)"}, format="json").status_code == 200
    )
    assert auth_client.patch(f"/books/{second}", {"published_on": "1971-01-01"}, format="json").status_code == 200
    assert auth_client.delete(f"/books/{first}").status_code == 204
    assert auth_client.delete(f"/books/{second}").status_code == 204

    assert wait_until(lambda: len(consumed_lines(consumed_log)) >= 6)
    events = parsed(consumed_log)
    assert len(events) == 6
    for book_id in (first, second):
        assert [event["type"] for event in events if event["book_id"] == str(book_id)] == [
            "book.created",
            "book.updated",
            "book.deleted",
        ]
    outbox = list(OutboxEvent.objects.order_by("id").values_list("event_id", flat=True))
    assert sorted(event["event_id"] for event in events) == sorted(map(str, outbox))
    assert ConsumedEvent.objects.count() == 6
    assert "The Dispossessed (2nd ed.)" in consumed_lines(consumed_log)[2]
    assert not any(line.startswith("duplicate event") for line in consumed_log)


def test_writes_succeed_while_the_broker_is_unreachable_and_are_delivered_once_later(
    auth_client, broker, run_relay, run_consumer, consumed_log, closed_port
):
    run_consumer()
    down = run_relay(amqp_url=f"amqp://guest:guest@127.0.0.1:{closed_port}/%2F", reconnect_times=1)
    author_id = create_author(auth_client)
    book_ids = [create_book(auth_client, author_id, f"Book {index}") for index in range(5)]
    assert auth_client.patch(f"/books/{book_ids[0]}", {"title": "Renamed"}, format="json").status_code == 200
    assert auth_client.delete(f"/books/{book_ids[1]}").status_code == 204

    assert wait_until(lambda: down.relay.published_total == 0 and down.relay.listening.is_set(), timeout=5)
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 7
    assert consumed_lines(consumed_log) == []

    down.stop()
    up = run_relay()  # the relay restarted with a working broker URL
    assert wait_until(lambda: len(consumed_lines(consumed_log)) >= 7)
    assert wait_until(lambda: not OutboxEvent.objects.filter(published_at__isnull=True).exists())
    up.stop()
    events = parsed(consumed_log)
    assert len(events) == len({event["event_id"] for event in events}) == 7
    assert [event["type"] for event in events if event["book_id"] == str(book_ids[0])] == [
        "book.created",
        "book.updated",
    ]
    assert up.relay.published_total == 7


def test_a_rolled_back_write_produces_no_event(auth_client, broker, run_relay, run_consumer, consumed_log):
    run_consumer()
    run_relay()
    author_id = create_author(auth_client)

    # The request runs on this thread's connection, so an outer transaction decides its fate: roll it back.
    with transaction.atomic():
        create_book(auth_client, author_id, "Never happened")
        assert OutboxEvent.objects.count() == 1  # written inside the transaction...
        transaction.set_rollback(True)
    assert OutboxEvent.objects.count() == 0  # ...and gone with it
    # A rejected write (400) writes nothing either.
    bad = auth_client.post("/books", {"title": "x", "published_on": "1969-03-01", "author_ids": [999_999]})
    assert bad.status_code == 400

    # A later committed write is delivered, and it is the only thing the consumer ever saw.
    book_id = create_book(auth_client, author_id, "Happened")
    assert wait_until(lambda: len(consumed_lines(consumed_log)) >= 1)
    assert [(event["type"], event["book_id"]) for event in parsed(consumed_log)] == [("book.created", str(book_id))]
    assert ConsumedEvent.objects.count() == 1


def test_a_write_can_be_followed_by_its_request_id_to_the_consumers_log_line(
    auth_client, broker, run_relay, run_consumer, consumed_log
):
    run_consumer()
    run_relay()
    author_id = create_author(auth_client)
    response = auth_client.post(
        "/books",
        {"title": "Kindred", "published_on": "1979-06-01", "author_ids": [author_id]},
        format="json",
        HTTP_X_REQUEST_ID="trace-2026-12-04.kindred",
    )
    assert response["X-Request-ID"] == "trace-2026-12-04.kindred"
    assert OutboxEvent.objects.get(aggregate_id=response.json()["id"]).request_id == "trace-2026-12-04.kindred"
    assert wait_until(lambda: any("Kindred" in line for line in consumed_lines(consumed_log)))
    (line,) = [line for line in consumed_lines(consumed_log) if "Kindred" in line]
    assert line.endswith(" request_id=trace-2026-12-04.kindred")
