"""`python -m grpc_service` as a process: serves on GRPC_PORT, logs consumed events to stdout, stops on SIGTERM."""

import json
import uuid
from pathlib import Path

import grpc
import pytest
from django.conf import settings
from grpc_health.v1 import health_pb2, health_pb2_grpc

from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from tests.conftest import ChildProcess, free_port
from tests.grpc_service.fixtures import access_token, authorized_channel, make_book, wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


class Sidecar(ChildProcess):
    """`python -m grpc_service` with the production settings module (its logging: INFO to stdout)."""

    def __init__(self, **env: str) -> None:
        self.port = free_port()
        super().__init__(
            ["-m", "grpc_service"],
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="1",
            API_KEY="test",
            CONN_MAX_AGE="0",
            GRPC_PORT=str(self.port),
            **env,
        )


@pytest.fixture
def sidecar_factory():
    started: list[Sidecar] = []

    def start(**env: str) -> Sidecar:
        started.append(Sidecar(**env))
        return started[-1]

    yield start
    for sidecar in started:
        sidecar.kill()


def test_serves_books_logs_events_to_stdout_and_stops_on_sigterm(sidecar_factory, broker):
    book = make_book("Kindred")
    sidecar = sidecar_factory(
        AMQP_URL=settings.AMQP_URL,
        BOOK_EVENTS_EXCHANGE=broker.topology.exchange,
        BOOK_EVENTS_QUEUE=broker.topology.queue,
    )
    with authorized_channel(f"127.0.0.1:{sidecar.port}", access_token()) as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        assert books_pb2_grpc.BookServiceStub(channel).GetBook(books_pb2.GetBookRequest(id=book.pk)).title == "Kindred"

    event_id = str(uuid.uuid4())
    message = {"schema_version": 1, "event_id": event_id, "type": "book.created", "occurred_at": "2026-01-01T00:00:00Z"}
    message["data"] = {"id": book.pk, "title": "Kindred"}
    # The queue is declared and bound once the consumer has connected.
    assert wait_until(lambda: any("consumer: consuming" in line for line in sidecar.lines), timeout=20)
    broker.publish(json.dumps(message).encode())
    assert wait_until(lambda: any(f"event consumed event_id={event_id}" in line for line in sidecar.lines))

    assert sidecar.terminate() == 0, "\n".join(sidecar.lines)
    assert any("grpc: stopped" in line for line in sidecar.lines)


def test_serves_while_the_broker_is_down(sidecar_factory, closed_port):
    book = make_book("Parable of the Sower")
    # The consumer keeps retrying in its thread; the gRPC API does not depend on the broker.
    sidecar = sidecar_factory(AMQP_URL=f"amqp://guest:guest@127.0.0.1:{closed_port}/%2F")
    with authorized_channel(f"127.0.0.1:{sidecar.port}", access_token()) as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        reply = books_pb2_grpc.BookServiceStub(channel).GetBook(books_pb2.GetBookRequest(id=book.pk))
        assert reply.title == "Parable of the Sower"
    assert sidecar.terminate() == 0, "\n".join(sidecar.lines)
