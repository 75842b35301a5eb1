"""`python -m grpc_service` as a process: serves on GRPC_PORT, logs consumed events to stdout, stops on SIGTERM."""

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import grpc
import pytest
from django.conf import settings
from grpc_health.v1 import health_pb2, health_pb2_grpc

from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from tests.conftest import free_port
from tests.grpc_service.fixtures import child_database_url, make_book, wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


class Sidecar:
    """The process with its stdout collected line by line."""

    def __init__(self, **env: str) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",  # the production logging config: INFO to stdout
            "DEBUG": "1",
            "API_KEY": "test",
            "DATABASE_URL": child_database_url(),
            "CONN_MAX_AGE": "0",
            "GRPC_PORT": str(self.port),
            **env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grpc_service"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.reader.join(5)


@pytest.fixture
def sidecar_factory():
    started: list[Sidecar] = []

    def start(**env: str) -> Sidecar:
        started.append(Sidecar(**env))
        return started[-1]

    yield start
    for sidecar in started:
        if sidecar.process.poll() is None:
            sidecar.process.kill()
            sidecar.process.wait()


def test_serves_books_logs_events_to_stdout_and_stops_on_sigterm(sidecar_factory, broker):
    book = make_book("Kindred")
    sidecar = sidecar_factory(
        AMQP_URL=settings.AMQP_URL,
        BOOK_EVENTS_EXCHANGE=broker.topology.exchange,
        BOOK_EVENTS_QUEUE=broker.topology.queue,
    )
    with grpc.insecure_channel(f"127.0.0.1:{sidecar.port}") as channel:
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
    with grpc.insecure_channel(f"127.0.0.1:{sidecar.port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        reply = books_pb2_grpc.BookServiceStub(channel).GetBook(books_pb2.GetBookRequest(id=book.pk))
        assert reply.title == "Parable of the Sower"
    assert sidecar.terminate() == 0, "\n".join(sidecar.lines)
