"""The outbox relay: publishes unsent `OutboxEvent` rows, in id order, to the `books.events` topic exchange.

Delivery is at least once: a row is marked published only after the broker confirmed it, in the same
transaction that claimed it (`FOR UPDATE SKIP LOCKED`, so two relays never hold the same row). If the
relay dies between the confirm and the commit the row is sent again; consumers dedupe by `event_id`.
"""

import json
import logging
import threading
import time
from collections.abc import Callable

import pika
import pika.exceptions
import psycopg
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from books.events import BROKER_ERRORS, DATABASE_ERRORS, broker_parameters, envelope
from books.models import OutboxEvent
from books.outbox import OUTBOX_CHANNEL, outbox_purge_published  # `outbox_record` NOTIFYs OUTBOX_CHANNEL
from config.metrics_server import RELAY_BATCH, RELAY_FAILURES, RELAY_PUBLISHED
from config.request_id import MESSAGE_HEADER
from config.retention import PeriodicPurge
from config.retry import retry

logger = logging.getLogger(__name__)


class PublishRefusedError(pika.exceptions.AMQPError):
    """The broker nacked or returned (no queue bound) some messages of a batch, or did not confirm in time."""


class Publisher:
    """A pika connection in confirm mode that sends a whole batch, then waits for the batch's confirms.

    pika's blocking channel waits for each confirm inside `basic_publish` (one round trip per message); the
    asynchronous channel underneath it (`_impl`) reports confirms through a callback instead, so a batch costs
    one round trip. Messages are mandatory: one that no queue takes is returned and counts as not published.
    """

    def __init__(self, *, amqp_url: str, exchange: str, confirm_timeout: float = 30.0) -> None:
        self.amqp_url, self.exchange, self.confirm_timeout = amqp_url, exchange, confirm_timeout
        self._connection: pika.BlockingConnection | None = None
        self._channel = None
        self._last_tag = 0
        self._in_flight: set[int] = set()  # delivery tags sent and not confirmed yet
        self._acked: dict[int, bool] = {}  # delivery tag -> acked (True) or nacked (False), for the batch in flight
        self._returned: set[str] = set()  # message ids the broker returned, for the batch in flight

    def connect(self) -> None:
        self._connection = pika.BlockingConnection(broker_parameters(self.amqp_url))
        self._channel = self._connection.channel()
        self._channel.exchange_declare(exchange=self.exchange, exchange_type="topic", durable=True)
        selected: list[object] = []
        self._channel._impl.confirm_delivery(ack_nack_callback=self._on_confirm, callback=selected.append)
        self._channel._impl.add_on_return_callback(self._on_return)
        self._wait(lambda: bool(selected), "Confirm.SelectOk")
        self._last_tag = 0

    @property
    def connected(self) -> bool:
        return self._connection is not None and self._connection.is_open and self._channel.is_open

    def publish_batch(self, events: list[OutboxEvent]) -> tuple[list[int], BaseException | None]:
        """Send every event, then wait for their confirms: (ids the broker confirmed, in order; the error if any).

        The error is a pika error (or OSError) when the connection failed, or PublishRefusedError when some were
        nacked, returned or not confirmed in time; the ids listed were confirmed all the same.
        """
        self._in_flight, self._acked, self._returned = set(), {}, set()
        tags: dict[int, OutboxEvent] = {}
        error: BaseException | None = None
        try:
            for event in events:
                self._channel._impl.basic_publish(
                    exchange=self.exchange,
                    routing_key=event.type,
                    body=json.dumps(envelope(event), cls=DjangoJSONEncoder).encode(),
                    properties=message_properties(event),
                    mandatory=True,
                )
                self._last_tag += 1
                tags[self._last_tag] = event
                self._in_flight.add(self._last_tag)
            self._wait(lambda: not self._in_flight, f"the confirms of {len(tags)} messages")
        except BROKER_ERRORS as exc:
            error = exc
        confirmed = [
            event.pk
            for tag, event in tags.items()
            if self._acked.get(tag) and str(event.event_id) not in self._returned
        ]
        if error is None and len(confirmed) < len(tags):
            refused = len(tags) - len(confirmed)
            error = PublishRefusedError(f"{refused} of {len(tags)} messages nacked or returned (no queue bound?)")
        return confirmed, error

    def _on_confirm(self, frame) -> None:
        method = frame.method
        tag = method.delivery_tag
        tags = [waiting for waiting in self._in_flight if waiting <= tag] if method.multiple else [tag]
        for confirmed in tags:
            self._in_flight.discard(confirmed)
            self._acked[confirmed] = isinstance(method, pika.spec.Basic.Ack)

    def _on_return(self, _channel, _method, properties, _body) -> None:
        self._returned.add(properties.message_id)

    def _wait(self, done: Callable[[], bool], what: str) -> None:
        # `_flush_output` runs pika's I/O loop until a waiter is true, returning as soon as the confirms are in
        # (`process_data_events` would sit out its whole time limit: the callbacks are below the blocking layer).
        # The loop wakes at least for the connection's heartbeat timer, so the deadline is noticed.
        deadline = time.monotonic() + self.confirm_timeout
        self._connection._flush_output(lambda: done() or time.monotonic() >= deadline)
        if not done():
            raise PublishRefusedError(f"no answer from the broker within {self.confirm_timeout:g} s: {what}")

    def keep_alive(self) -> None:
        """Service the connection while idle: answers the broker's heartbeats, notices a connection that died.

        Called between short waits; without it a connection idle for two heartbeat intervals is dropped by the
        broker and the next publish fails. A dead connection is closed quietly and reopened by the next drain.
        """
        if not self.connected:
            return
        try:
            self._connection.process_data_events(time_limit=0)
        except BROKER_ERRORS as exc:
            logger.info("relay: the idle broker connection was lost (%s); reconnecting on the next event", exc)
            self.close()

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except BROKER_ERRORS:
                logger.warning("relay: closing the broker connection failed", exc_info=True)


def message_properties(event: OutboxEvent) -> pika.BasicProperties:
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=str(event.event_id),
        type=event.type,
        timestamp=int(event.occurred_at.timestamp()),
        headers={MESSAGE_HEADER: event.request_id} if event.request_id else None,
    )


def relay_batch(*, publisher: Publisher, batch_size: int) -> int:
    """Publish up to `batch_size` unsent rows in id order; returns how many were published.

    The rows stay locked until their `published_at` is committed; a row is marked published only after the
    broker confirmed it. When the broker fails or refuses part of the batch, the rows it confirmed are still
    marked published before the error propagates, with their count in the error's `published` attribute; the
    others stay in the outbox for the next drain.
    """
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(published_at__isnull=True)
            .order_by("id")[:batch_size]
        )
        published, error = publisher.publish_batch(events) if events else ([], None)
        if published:
            OutboxEvent.objects.filter(pk__in=published).update(published_at=timezone.now())
    if published:
        logger.info("relay: published %d events, last id %d", len(published), published[-1])
        RELAY_PUBLISHED.inc(len(published))
        RELAY_BATCH.observe(len(published))
    if error is not None:
        RELAY_FAILURES.inc()
        error.published = len(published)
        raise error
    return len(published)


class Relay:
    """The long-running loop of `relay_events`: wake on NOTIFY or every `sweep_seconds`, drain, repeat."""

    def __init__(
        self,
        *,
        amqp_url: str | None = None,
        exchange: str | None = None,
        batch_size: int | None = None,
        sweep_seconds: float | None = None,
        reconnect_times: int = 6,
        reconnect_delay: float = 0.5,
    ) -> None:
        self.publisher = Publisher(
            amqp_url=amqp_url or settings.AMQP_URL, exchange=exchange or settings.BOOK_EVENTS_EXCHANGE
        )
        self.batch_size = batch_size or settings.RELAY_BATCH_SIZE
        self.sweep_seconds = sweep_seconds if sweep_seconds is not None else settings.RELAY_SWEEP_SECONDS
        self.published_total = 0
        self.retention = PeriodicPurge("relay", outbox_purge_published)
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once LISTEN is active (tests wait for it)
        self._listener = None
        # Backoff 0.5, 1, 2, 4, 8 s; a stop request interrupts the wait.
        self._connect = retry(
            times=reconnect_times, delay=reconnect_delay, exceptions=BROKER_ERRORS, backoff=2, sleep=self._stop.wait
        )(self.publisher.connect)

    # --- control -------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the loop to exit after the current batch (safe from a signal handler or another thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def set_amqp_url(self, amqp_url: str) -> None:
        """Point the relay at another broker; the next batch reconnects."""
        self.publisher.close()
        self.publisher.amqp_url = amqp_url

    # --- loop ----------------------------------------------------------------------------------------------
    def run(self, *, until: Callable[[], bool] | None = None) -> None:
        """Relay until `stop()` (or `until()` returns true); always closes its connections."""
        logger.info("relay: started, exchange=%s sweep=%.1fs", self.publisher.exchange, self.sweep_seconds)
        try:
            while not self.stopping and not (until and until()):
                self.drain()
                self.retention.maybe_run()
                self.wait_for_work()
        finally:
            self.publisher.close()
            self._close_listener()
            close_old_connections()
            connections.close_all()
            logger.info("relay: stopped after publishing %d events", self.published_total)

    def drain(self) -> int:
        """Publish batches until the outbox is empty or the broker fails; returns how many were published."""
        count = 0
        try:
            while not self.stopping:
                if not self.publisher.connected:
                    self._connect()
                close_old_connections()
                sent = relay_batch(publisher=self.publisher, batch_size=self.batch_size)
                count += sent
                self.published_total += sent
                if sent < self.batch_size:
                    break
        except BROKER_ERRORS as exc:
            # The rows confirmed before the failure were marked published; count them too.
            count += getattr(exc, "published", 0)
            self.published_total += getattr(exc, "published", 0)
            # Unsent rows stay in the outbox; the next NOTIFY or sweep retries with a fresh connection.
            logger.warning(
                "relay: broker unavailable (%s: %s), next try in %.1fs", type(exc).__name__, exc, self.sweep_seconds
            )
            self.publisher.close()
        except DATABASE_ERRORS as exc:
            # PostgreSQL restarting: nothing was marked published, the next sweep starts over.
            logger.warning("relay: database unavailable (%s), next try in %.1fs", exc, self.sweep_seconds)
            close_old_connections()
        return count

    def wait_for_work(self) -> None:
        """Block until a NOTIFY on the outbox channel, the sweep interval or a stop request."""
        deadline = time.monotonic() + self.sweep_seconds
        try:
            listener = self._ensure_listener()
            while not self.stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                # Short slices so SIGTERM is honoured within half a second and broker heartbeats are answered.
                self.publisher.keep_alive()
                # list(): the generator holds the connection lock until it is exhausted.
                if list(listener.notifies(timeout=min(remaining, 0.5), stop_after=1)):
                    # Many commits may have notified; one drain of the outbox handles them all.
                    list(listener.notifies(timeout=0, stop_after=10_000))
                    return
        except (psycopg.Error, *DATABASE_ERRORS):  # the database is restarting: sleep until the sweep instead
            logger.warning("relay: LISTEN connection failed, sweeping only", exc_info=True)
            self._close_listener()
            self._stop.wait(max(0.0, deadline - time.monotonic()))

    def _ensure_listener(self):
        if self._listener is None or self._listener.closed:
            wrapper = connections.create_connection("default")
            wrapper.ensure_connection()
            wrapper.set_autocommit(True)
            wrapper.connection.execute(f"LISTEN {OUTBOX_CHANNEL}")
            self._listener_wrapper, self._listener = wrapper, wrapper.connection
            self.listening.set()
        return self._listener

    def _close_listener(self) -> None:
        self.listening.clear()
        if self._listener is not None:
            try:
                self._listener_wrapper.close()
            except (psycopg.Error, *DATABASE_ERRORS):
                logger.debug("relay: closing the LISTEN connection failed", exc_info=True)
        self._listener = None
