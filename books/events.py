"""The book event contract: what the relay publishes and the sidecar's consumer accepts (docs/events-and-grpc.md).

The producer (books/outbox.py, books/relay.py), the consumer (grpc_service/consumer.py) and the tests import the
names, the envelope and the broker connection set-up from here, so the two sides cannot drift apart.
"""

import pika
import pika.exceptions
from django.db import InterfaceError, OperationalError

from books.models import OutboxEvent
from books.selectors import iso_timestamp

SCHEMA_VERSION = 1
EXCHANGE = "books.events"  # topic exchange; the default of settings.BOOK_EVENTS_EXCHANGE
QUEUE = "grpc_service.book_events"  # the sidecar's queue; the default of settings.BOOK_EVENTS_QUEUE
BINDING_KEY = "book.*"  # routing keys are the event types
EVENT_TYPES = frozenset(OutboxEvent.Type.values)

# What a lost broker or database raises; both sides reconnect on these instead of dying.
BROKER_ERRORS = (pika.exceptions.AMQPError, OSError)
DATABASE_ERRORS = (OperationalError, InterfaceError)


def envelope(event: OutboxEvent) -> dict:
    """The versioned message body of an outbox row; `data` is the book as the REST API shows it."""
    return {
        "schema_version": SCHEMA_VERSION,
        "event_id": str(event.event_id),
        "type": event.type,
        "occurred_at": iso_timestamp(event.occurred_at),
        "data": event.payload,
    }


def broker_parameters(amqp_url: str, *, heartbeat: int | None = None) -> pika.URLParameters:
    """Connection parameters of both sides: fail fast (one attempt, 5 s socket timeout) and let the caller retry.

    `heartbeat` overrides the URL's; without either, the broker proposes its own interval.
    """
    params = pika.URLParameters(amqp_url)
    params.connection_attempts, params.socket_timeout, params.blocked_connection_timeout = 1, 5, 30
    if heartbeat is not None:
        params.heartbeat = heartbeat
    return params
