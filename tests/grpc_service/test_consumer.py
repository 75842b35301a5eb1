"""The book-event consumer against the real RabbitMQ and PostgreSQL."""

import json
import uuid

import pytest

from grpc_service.consumer import MalformedEventError, handle_events, parse_event
from grpc_service.models import ConsumedEvent
from tests.grpc_service.fixtures import consumed_lines, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def envelope(event_type: str = "book.created", *, book_id: int = 1, title: str = "Dune", event_id=None) -> dict:
    return {
        "schema_version": 1,
        "event_id": str(event_id or uuid.uuid4()),
        "type": event_type,
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "data": {"id": book_id, "title": title},
    }


def encode(message: object) -> bytes:
    return json.dumps(message).encode()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        (encode([1, 2]), "not a JSON object"),
        (encode({**envelope(), "schema_version": 2}), "schema_version"),
        (encode(envelope("book.archived")), "unknown type"),
        (encode({**envelope(), "event_id": "nope"}), "event_id"),
        (encode({key: value for key, value in envelope().items() if key != "event_id"}), "event_id"),
        (encode({**envelope(), "data": None}), "data"),
        (encode({**envelope(), "data": {"title": "Dune"}}), "integer id"),
        (encode({**envelope(), "data": {"id": "1", "title": "Dune"}}), "integer id"),
        (encode({**envelope(), "data": {"id": True, "title": "Dune"}}), "integer id"),
        (encode({**envelope(), "data": {"id": 1}}), "string title"),
    ],
)
def test_parse_rejects_malformed_messages(body, reason):
    with pytest.raises(MalformedEventError, match=reason):
        parse_event(body)


def test_parse_accepts_every_event_type():
    for event_type in ("book.created", "book.updated", "book.deleted"):
        event = parse_event(encode(envelope(event_type, book_id=5, title="Solaris")))
        assert (event.type, event.book_id, event.title) == (event_type, 5, "Solaris")


def test_each_event_is_logged_once_and_redeliveries_are_duplicates(broker, run_consumer, consumed_log):
    run_consumer()
    message = envelope("book.updated", book_id=42, title="The Left Hand of Darkness")

    broker.publish(encode(message), routing_key="book.updated")
    broker.publish(encode(message), routing_key="book.updated")  # the relay may resend after a crash

    assert wait_until(lambda: any(line.startswith("duplicate event") for line in consumed_log))
    assert consumed_lines(consumed_log) == [
        f'event consumed event_id={message["event_id"]} type=book.updated book_id=42 title="The Left Hand of Darkness"'
        " request_id=-"  # published without an x-request-id header
    ]
    assert ConsumedEvent.objects.filter(event_id=message["event_id"]).count() == 1
    assert broker.drain(broker.topology.queue) == []  # both deliveries were acked


def test_malformed_messages_are_dead_lettered_and_consuming_goes_on(broker, run_consumer, consumed_log):
    run_consumer()
    bad = [b"{not json", encode(envelope("book.archived")), encode({**envelope(), "data": {}})]
    for body in bad:
        broker.publish(body)
    good = envelope("book.deleted", book_id=9, title="Gone")
    broker.publish(encode(good), routing_key="book.deleted")

    assert wait_until(lambda: len(consumed_lines(consumed_log)) == 1)
    assert f"event_id={good['event_id']} type=book.deleted book_id=9" in consumed_lines(consumed_log)[0]
    dead = broker.drain(broker.topology.dead_letter_queue, expect=len(bad))
    assert sorted(body for _, _, body in dead) == sorted(bad)
    assert sum("malformed event dead-lettered" in line for line in consumed_log) == len(bad)
    assert broker.drain(broker.topology.queue) == []


def test_only_book_routing_keys_reach_the_queue(broker, run_consumer, consumed_log):
    run_consumer()
    broker.publish(encode(envelope()), routing_key="author.created")
    message = envelope()
    broker.publish(encode(message), routing_key="book.created")
    assert wait_until(lambda: len(consumed_lines(consumed_log)) == 1)
    assert message["event_id"] in consumed_lines(consumed_log)[0]
    assert broker.drain(broker.topology.dead_letter_queue) == []


def test_consumer_reconnects_when_the_broker_connection_drops(broker, run_consumer, consumed_log, amqp_proxy):
    consumer = run_consumer(amqp_url=amqp_proxy.url, reconnect_delay=0.1)
    before = envelope(book_id=1)
    broker.publish(encode(before))
    assert wait_until(lambda: len(consumed_lines(consumed_log)) == 1)

    amqp_proxy.cut()  # what a RabbitMQ restart looks like from the consumer
    assert wait_until(lambda: not consumer.ready.is_set(), timeout=10)
    after = envelope(book_id=2)
    broker.publish(encode(after))  # queued durably while the consumer is away
    amqp_proxy.restore()

    assert wait_until(lambda: len(consumed_lines(consumed_log)) == 2)
    assert after["event_id"] in consumed_lines(consumed_log)[1]
    assert any("broker connection lost" in line for line in consumed_log)


def test_a_batch_handles_each_new_id_once_even_when_repeated_inside_it(consumed_log):
    seen = parse_event(encode(envelope(book_id=1)))
    assert handle_events([seen]) == [True]
    fresh = parse_event(encode(envelope("book.updated", book_id=2)))
    assert handle_events([seen, fresh, fresh]) == [False, True, False]
    assert ConsumedEvent.objects.count() == 2
    assert len(consumed_lines(consumed_log)) == 2
    assert sum(line.startswith("duplicate event") for line in consumed_log) == 2


def test_a_burst_is_handled_completely_in_order(broker, run_consumer, consumed_log):
    run_consumer(prefetch=50)
    messages = [envelope(book_id=index) for index in range(1, 201)]
    for message in messages:
        broker.publish(encode(message))
    assert wait_until(lambda: len(consumed_lines(consumed_log)) == len(messages))
    assert [line.split()[2] for line in consumed_lines(consumed_log)] == [
        f"event_id={message['event_id']}" for message in messages
    ]
    assert ConsumedEvent.objects.count() == len(messages)
