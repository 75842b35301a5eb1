"""The sidecar's book-event consumer: one log line per event, idempotent by event_id, malformed → dead letters.

Topology (declared on every connect, all durable):
    books.events (topic) --book.*--> grpc_service.book_events --reject--> grpc_service.book_events.dlx (fanout)
                                                                          --> grpc_service.book_events.dead
"""

import json
import logging
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

import pika
import pika.exceptions
from django.conf import settings
from django.db import close_old_connections, connection, connections

from books.events import (
    BINDING_KEY,
    BROKER_ERRORS,
    DATABASE_ERRORS,
    EVENT_TYPES,
    EXCHANGE,
    QUEUE,
    SCHEMA_VERSION,
    broker_parameters,
)
from config.metrics_server import EVENTS_CONSUMED
from config.request_id import MESSAGE_HEADER, valid_request_id
from config.retention import PeriodicPurge, purge_before, retention_cutoff
from config.retry import retry
from grpc_service.models import ConsumedEvent

logger = logging.getLogger(__name__)


def consumed_events_purge(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Forget handled event ids older than EVENTS_RETENTION_DAYS (a redelivery is never that late)."""
    return purge_before(
        ConsumedEvent.objects.all(), field="consumed_at", cutoff=retention_cutoff(now), batch_size=batch_size
    )


@dataclass(frozen=True)
class Topology:
    """Names of the exchanges and queues; tests pass unique ones so they never touch a running stack."""

    exchange: str = EXCHANGE
    queue: str = QUEUE
    binding_key: str = BINDING_KEY

    @classmethod
    def from_settings(cls) -> "Topology":
        return cls(exchange=settings.BOOK_EVENTS_EXCHANGE, queue=settings.BOOK_EVENTS_QUEUE)

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.queue}.dlx"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dead"

    def declare(self, channel) -> None:
        channel.exchange_declare(exchange=self.exchange, exchange_type="topic", durable=True)
        channel.exchange_declare(exchange=self.dead_letter_exchange, exchange_type="fanout", durable=True)
        channel.queue_declare(queue=self.dead_letter_queue, durable=True)
        channel.queue_bind(queue=self.dead_letter_queue, exchange=self.dead_letter_exchange)
        channel.queue_declare(
            queue=self.queue, durable=True, arguments={"x-dead-letter-exchange": self.dead_letter_exchange}
        )
        channel.queue_bind(queue=self.queue, exchange=self.exchange, routing_key=self.binding_key)


class MalformedEventError(ValueError):
    """The message is not a book event this consumer understands; it goes to the dead-letter queue."""


@dataclass(frozen=True)
class BookEvent:
    event_id: uuid.UUID
    type: str
    book_id: int
    title: str
    request_id: str = ""  # the X-Request-ID of the write, from the message header


def parse_event(body: bytes) -> BookEvent:
    """Validate an envelope (schema_version 1); raises MalformedEventError naming what is wrong."""
    try:
        message = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEventError(f"invalid JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise MalformedEventError("the body is not a JSON object")
    if message.get("schema_version") != SCHEMA_VERSION:
        raise MalformedEventError(f"unsupported schema_version {message.get('schema_version')!r}")
    if message.get("type") not in EVENT_TYPES:
        raise MalformedEventError(f"unknown type {message.get('type')!r}")
    try:
        event_id = uuid.UUID(str(message["event_id"]))
    except (KeyError, ValueError) as exc:
        raise MalformedEventError("missing or invalid event_id") from exc
    data = message.get("data")
    if not isinstance(data, dict):
        raise MalformedEventError("missing data object")
    book_id, title = data.get("id"), data.get("title")
    if not isinstance(book_id, int) or isinstance(book_id, bool) or not isinstance(title, str):
        raise MalformedEventError("data must have an integer id and a string title")
    return BookEvent(event_id=event_id, type=message["type"], book_id=book_id, title=title)


RECORD_EVENTS_SQL = """
    INSERT INTO grpc_service_consumedevent (event_id, type, aggregate_id, consumed_at)
    SELECT event_id, type, aggregate_id, now() FROM unnest(%s::uuid[], %s::text[], %s::bigint[])
        AS batch (event_id, type, aggregate_id)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
"""


def handle_events(events: list[BookEvent]) -> list[bool]:
    """Handle a batch: one log line per event not seen before; the rest are logged as duplicates.

    The ids are recorded in one statement, committed on its own (`ON CONFLICT DO NOTHING` under the unique
    constraint, so two consumers racing on the same id cannot both win; no BEGIN/COMMIT round trips around it),
    then the lines are logged. Returns, per event, whether it was handled now.
    """
    if not events:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD_EVENTS_SQL,
            [[event.event_id for event in events], [event.type for event in events], [e.book_id for e in events]],
        )
        fresh = {row[0] for row in cursor.fetchall()}
    outcomes = []
    for event in events:
        handled_now = event.event_id in fresh
        fresh.discard(event.event_id)  # the same id twice in one batch: the second one is a duplicate
        if handled_now:
            logger.info(
                "event consumed event_id=%s type=%s book_id=%s title=%s request_id=%s",
                event.event_id,
                event.type,
                event.book_id,
                json.dumps(event.title, ensure_ascii=False),
                event.request_id or "-",
            )
        else:
            logger.info("duplicate event event_id=%s type=%s book_id=%s", event.event_id, event.type, event.book_id)
        outcomes.append(handled_now)
    handled = sum(outcomes)
    EVENTS_CONSUMED.labels("handled").inc(handled)
    EVENTS_CONSUMED.labels("duplicate").inc(len(outcomes) - handled)
    return outcomes


@dataclass(frozen=True)
class Delivery:
    delivery_tag: int
    routing_key: str
    message_id: str | None
    body: bytes
    request_id: str = ""


class EventConsumer:
    """Consumes the queue on its own pika connection until `stop()`; reconnects with backoff."""

    def __init__(
        self,
        *,
        amqp_url: str | None = None,
        topology: Topology | None = None,
        prefetch: int | None = None,
        reconnect_times: int = 6,
        reconnect_delay: float = 0.5,
    ) -> None:
        self.amqp_url = amqp_url or settings.AMQP_URL
        self.topology = topology or Topology.from_settings()
        self.prefetch = prefetch or settings.EVENTS_CONSUMER_PREFETCH
        self.ready = threading.Event()
        self.retention = PeriodicPurge("consumer", consumed_events_purge)
        self._stop = threading.Event()
        self._connection: pika.BlockingConnection | None = None
        self._pending: list[Delivery] = []
        self._connect = retry(
            times=reconnect_times, delay=reconnect_delay, exceptions=BROKER_ERRORS, backoff=2, sleep=self._stop.wait
        )(self._open)

    def stop(self) -> None:
        self._stop.set()

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="book-events-consumer", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        logger.info("consumer: started, queue=%s", self.topology.queue)
        try:
            while not self._stop.is_set():
                try:
                    self._consume()
                except BROKER_ERRORS as exc:
                    logger.warning("consumer: broker connection lost (%s: %s), reconnecting", type(exc).__name__, exc)
                except Exception:
                    # A bug must not silently end the thread while the gRPC server keeps running: closing the
                    # connection hands the unacked messages back to the broker, and consuming starts over.
                    logger.exception("consumer: unexpected error, reconnecting")
                self.ready.clear()
                self._close()
                self._stop.wait(1)
        finally:
            self._close()
            connections.close_all()  # this thread's connections only
            logger.info("consumer: stopped")

    def _open(self):
        self._connection = pika.BlockingConnection(broker_parameters(self.amqp_url, heartbeat=30))
        channel = self._connection.channel()
        self.topology.declare(channel)
        channel.basic_qos(prefetch_count=self.prefetch)
        channel.basic_consume(queue=self.topology.queue, on_message_callback=self._on_message, auto_ack=False)
        return channel

    def _consume(self) -> None:
        channel = self._connect()
        self.ready.set()
        logger.info("consumer: consuming queue=%s prefetch=%d", self.topology.queue, self.prefetch)
        while not self._stop.is_set():
            # Returns as soon as deliveries arrived (or after 0.5 s); the callback only collects them, so
            # everything that came in together is handled with one database commit.
            self._connection.process_data_events(time_limit=0.5)
            if self._pending:  # take whatever else of the prefetch window is already here, without waiting
                self._connection.process_data_events(time_limit=0)
            while self._pending:
                batch, self._pending = self._pending, []
                self._handle(channel, batch)
            self.retention.maybe_run()

    def _on_message(self, channel, method, properties, body: bytes) -> None:
        request_id = valid_request_id((properties.headers or {}).get(MESSAGE_HEADER))
        self._pending.append(Delivery(method.delivery_tag, method.routing_key, properties.message_id, body, request_id))

    def _handle(self, channel, deliveries: list[Delivery]) -> None:
        valid: list[tuple[Delivery, BookEvent]] = []
        for delivery in deliveries:
            try:
                valid.append((delivery, replace(parse_event(delivery.body), request_id=delivery.request_id)))
            except MalformedEventError as exc:
                logger.error(
                    "malformed event dead-lettered message_id=%s routing_key=%s reason=%s",
                    delivery.message_id,
                    delivery.routing_key,
                    exc,
                )
                channel.basic_reject(delivery_tag=delivery.delivery_tag, requeue=False)
                EVENTS_CONSUMED.labels("dead_lettered").inc()
        if not valid:
            return
        close_old_connections()
        try:
            handle_events([event for _, event in valid])
        except DATABASE_ERRORS:
            # PostgreSQL is down: put the messages back and slow down instead of spinning on redeliveries.
            logger.exception("consumer: database unavailable, requeueing %d events", len(valid))
            close_old_connections()
            self._stop.wait(1)
            for delivery, _ in valid:
                channel.basic_nack(delivery_tag=delivery.delivery_tag, requeue=True)
            return
        acked = {delivery.delivery_tag for delivery, _ in valid}
        if acked == {d.delivery_tag for d in deliveries} and max(acked) - min(acked) == len(acked) - 1:
            # The usual case, a contiguous window all handled: one ack frame for all of it.
            channel.basic_ack(delivery_tag=max(acked), multiple=True)
        else:
            for delivery, _ in valid:
                channel.basic_ack(delivery_tag=delivery.delivery_tag)

    def _close(self) -> None:
        # Unacked deliveries of a lost connection are redelivered by the broker; forget them here.
        self._pending = []
        amqp_connection, self._connection = self._connection, None
        if amqp_connection is not None and amqp_connection.is_open:
            try:
                amqp_connection.close()
            except BROKER_ERRORS:
                logger.debug("consumer: closing the connection failed", exc_info=True)
