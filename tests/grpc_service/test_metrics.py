"""The sidecar's and the relay's metrics: gRPC calls by method and code, consumed events, published events."""

import urllib.request

import grpc
import pytest
from prometheus_client import REGISTRY

from books.relay import relay_batch
from config.metrics_server import serve_metrics
from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from grpc_service.server import build_server
from tests.conftest import free_port
from tests.grpc_service.fixtures import make_book, record_event, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_grpc_calls_are_counted_by_method_and_code(grpc_stub):
    book = make_book()
    ok, missing = (
        value("grpc_server_handled_total", method="GetBook", code="OK"),
        value("grpc_server_handled_total", method="GetBook", code="NOT_FOUND"),
    )
    grpc_stub.GetBook(books_pb2.GetBookRequest(id=book.pk))
    with pytest.raises(grpc.RpcError):
        grpc_stub.GetBook(books_pb2.GetBookRequest(id=book.pk + 1000))
    assert value("grpc_server_handled_total", method="GetBook", code="OK") == ok + 1
    assert value("grpc_server_handled_total", method="GetBook", code="NOT_FOUND") == missing + 1
    assert value("grpc_server_handling_seconds_count", method="GetBook") >= 2


def test_refused_calls_are_counted_too_each_under_its_own_method(monkeypatch):
    """The auth interceptor answers every method's refusal with one handler; the metrics keep each method apart."""
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    before = {
        method: value("grpc_server_handled_total", method=method, code="UNAUTHENTICATED")
        for method in ("ListBooks", "GetBook")
    }
    server, port, _ = build_server(port=0, host="127.0.0.1", max_workers=1, auth="jwt")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = books_pb2_grpc.BookServiceStub(channel)
            for call, request in [
                (stub.ListBooks, books_pb2.ListBooksRequest()),
                (stub.GetBook, books_pb2.GetBookRequest(id=1)),
                (stub.ListBooks, books_pb2.ListBooksRequest()),
            ]:
                with pytest.raises(grpc.RpcError):
                    call(request, timeout=10)
    finally:
        server.stop(grace=None).wait()
    assert value("grpc_server_handled_total", method="ListBooks", code="UNAUTHENTICATED") == before["ListBooks"] + 2
    assert value("grpc_server_handled_total", method="GetBook", code="UNAUTHENTICATED") == before["GetBook"] + 1


def test_consumed_events_are_counted_by_outcome(broker, run_consumer, consumed_log):
    from tests.grpc_service.test_consumer import encode, envelope

    handled, duplicate, dead = (value("book_events_consumed_total", outcome=o) for o in ("handled", "duplicate",
                                                                                          "dead_lettered"))  # fmt: skip
    run_consumer()
    message = envelope("book.created", book_id=7, title="Solaris")
    broker.publish(encode(message), routing_key="book.created")
    broker.publish(encode(message), routing_key="book.created")
    broker.publish(b"{not json", routing_key="book.created")
    assert wait_until(lambda: value("book_events_consumed_total", outcome="dead_lettered") == dead + 1)
    assert wait_until(lambda: value("book_events_consumed_total", outcome="duplicate") == duplicate + 1)
    assert value("book_events_consumed_total", outcome="handled") == handled + 1


def test_published_events_are_counted(broker, publisher):
    before = value("relay_events_published_total")
    for book_id in range(3):
        record_event("book.created", book_id=book_id + 1)
    assert relay_batch(publisher=publisher, batch_size=100) == 3
    assert value("relay_events_published_total") == before + 3
    assert value("relay_batch_size_count") >= 1


def test_the_metrics_port_serves_prometheus_text(settings):
    settings.METRICS_HOST = "127.0.0.1"
    port = free_port()
    serve_metrics(port, process="test")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as response:  # noqa: S310 - loopback
        text = response.read().decode()
    assert "grpc_server_handled_total" in text
    assert "relay_events_published_total" in text
    serve_metrics(0, process="off")  # 0: no server, no error
