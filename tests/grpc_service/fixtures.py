"""Broker, relay, consumer and gRPC fixtures shared by tests/grpc_service and tests/books/test_relay*.py.

Every test gets its own exchange and queues (unique names, deleted afterwards), so tests running in parallel
and a `make run` stack on the same RabbitMQ never see each other's messages.
"""

import contextlib
import datetime
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
import pika
import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from rest_framework_simplejwt.tokens import AccessToken

from books.models import Book, OutboxEvent
from books.outbox import outbox_record
from books.relay import Publisher, Relay
from grpc_service.consumer import EventConsumer, Topology
from grpc_service.generated.books.v1 import books_pb2_grpc
from grpc_service.server import build_server
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory


def wait_until(predicate: Callable[[], bool], *, timeout: float = 20, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@dataclass
class Broker:
    """A test's own exchange plus a probe queue bound to every routing key, read with basic_get."""

    topology: Topology
    probe_queue: str
    channel: object

    @property
    def exchange(self) -> str:
        return self.topology.exchange

    def drain(self, queue: str | None = None, *, expect: int = 0, timeout: float = 10) -> list[tuple]:
        """(method, properties, body) of every message in `queue`; waits until at least `expect` arrived."""
        messages: list[tuple] = []
        deadline = time.monotonic() + timeout
        while True:
            method, properties, body = self.channel.basic_get(queue or self.probe_queue, auto_ack=True)
            if method is not None:
                messages.append((method, properties, body))
                continue
            if len(messages) >= expect or time.monotonic() > deadline:
                return messages
            time.sleep(0.05)

    def publish(self, body: bytes, *, routing_key: str = "book.created") -> None:
        self.channel.basic_publish(exchange=self.exchange, routing_key=routing_key, body=body)


@pytest.fixture(name="broker")
def broker_fixture() -> Iterator[Broker]:
    suffix = uuid.uuid4().hex[:12]
    topology = Topology(exchange=f"test.books.events.{suffix}", queue=f"test.grpc_service.book_events.{suffix}")
    connection_ = pika.BlockingConnection(pika.URLParameters(settings.AMQP_URL))
    channel = connection_.channel()
    channel.exchange_declare(exchange=topology.exchange, exchange_type="topic", durable=True)
    probe = f"test.probe.{suffix}"
    channel.queue_declare(queue=probe, durable=True)
    channel.queue_bind(queue=probe, exchange=topology.exchange, routing_key="#")
    yield Broker(topology=topology, probe_queue=probe, channel=channel)
    for queue in (probe, topology.queue, topology.dead_letter_queue):
        channel.queue_delete(queue=queue)
    for exchange in (topology.exchange, topology.dead_letter_exchange):
        channel.exchange_delete(exchange=exchange)
    connection_.close()


@pytest.fixture(name="consumed_log")
def consumed_log_fixture() -> Iterator[list[str]]:
    """Messages the consumer logs (from any thread), in order."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("grpc_service.consumer")
    handler, previous_level = Collect(level=logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(previous_level)


def consumed_lines(records: list[str]) -> list[str]:
    return [line for line in records if line.startswith("event consumed ")]


@pytest.fixture(name="run_consumer")
def run_consumer_fixture(broker) -> Iterator[Callable[..., EventConsumer]]:
    """Start the consumer in a thread on the test's topology; stopped and joined at teardown."""
    started: list[tuple[EventConsumer, threading.Thread]] = []

    def start(**kwargs) -> EventConsumer:
        consumer = EventConsumer(topology=broker.topology, prefetch=kwargs.pop("prefetch", 20), **kwargs)
        thread = consumer.start_thread()
        started.append((consumer, thread))
        assert consumer.ready.wait(15), "consumer did not connect"
        return consumer

    yield start
    for consumer, thread in started:
        consumer.stop()
        thread.join(10)


class RelayThread:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.thread = threading.Thread(target=relay.run, name="relay", daemon=True)

    def stop(self) -> None:
        self.relay.stop()
        self.thread.join(15)
        assert not self.thread.is_alive(), "relay did not stop"


@pytest.fixture(name="run_relay")
def run_relay_fixture(broker) -> Iterator[Callable[..., RelayThread]]:
    """Start `Relay.run` in a thread publishing to the test's exchange; stopped at teardown."""
    started: list[RelayThread] = []

    def start(**kwargs) -> RelayThread:
        kwargs.setdefault("sweep_seconds", 0.5)
        relay_thread = RelayThread(Relay(exchange=broker.exchange, **kwargs))
        relay_thread.thread.start()
        started.append(relay_thread)
        return relay_thread

    yield start
    for relay_thread in started:
        if relay_thread.thread.is_alive():
            relay_thread.stop()


@pytest.fixture(name="publisher")
def publisher_fixture(broker) -> Iterator[Publisher]:
    pub = Publisher(amqp_url=settings.AMQP_URL, exchange=broker.exchange)
    pub.connect()
    yield pub
    pub.close()


def make_book(title: str = "Dune", *, authors: tuple[str, ...] = ("Frank Herbert",), rating_count: int = 0) -> Book:
    """A book published 1965-08-01 by new authors; `rating_count` scores of 4 each (the mean is 4.00)."""
    return BookFactory(
        title=title,
        published_on=datetime.date(1965, 8, 1),
        rating_count=rating_count,
        rating_sum=rating_count * 4,
        authors=[AuthorFactory(name=name) for name in authors],
    )


def record_event(event_type: str, *, book_id: int, title: str = "Dune") -> OutboxEvent:
    """An outbox row + NOTIFY committed in one transaction, as the books services write them."""
    with transaction.atomic():
        return outbox_record(event_type=event_type, aggregate_id=book_id, payload={"id": book_id, "title": title})


class BearerToken(grpc.UnaryUnaryClientInterceptor):
    """Adds `authorization: Bearer <access>` to every unary call, as a real client would."""

    def __init__(self, token: str) -> None:
        self.metadata = (("authorization", f"Bearer {token}"),)

    def intercept_unary_unary(self, continuation, client_call_details, request):
        details = client_call_details._replace(metadata=(*(client_call_details.metadata or ()), *self.metadata))
        return continuation(details, request)


def access_token() -> str:
    """An access token of the REST API for a new user (signed with the test SECRET_KEY)."""
    return str(AccessToken.for_user(UserFactory()))


def authorized_channel(target: str, token: str) -> grpc.Channel:
    return grpc.intercept_channel(grpc.insecure_channel(target), BearerToken(token))


@pytest.fixture(name="grpc_stub")
def grpc_stub_fixture(transactional_db, monkeypatch) -> Iterator[books_pb2_grpc.BookServiceStub]:
    """A real server on a free port (its worker threads use the test database) and a stub connected to it."""
    # Worker threads close their connection after each call, so none outlives the test database.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    server, port, _ = build_server(port=0, host="127.0.0.1", max_workers=4, auth="jwt")
    server.start()
    channel = authorized_channel(f"127.0.0.1:{port}", access_token())
    stub = books_pb2_grpc.BookServiceStub(channel)
    stub.channel = channel
    yield stub
    channel.close()
    server.stop(grace=None).wait()
    connections.close_all()


class TcpProxy:
    """A local TCP forwarder to RabbitMQ that a test can cut (drop every connection, refuse new ones) and restore,
    which is what a broker restart looks like to a client."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepting = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.accepting:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.accepting = False
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.accepting = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture(name="amqp_proxy")
def amqp_proxy_fixture() -> Iterator[TcpProxy]:
    params = pika.URLParameters(settings.AMQP_URL)
    proxy = TcpProxy((params.host, params.port))
    yield proxy
    proxy.close()
