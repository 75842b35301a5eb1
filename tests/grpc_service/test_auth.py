"""BookService needs the REST API's access token in `authorization: Bearer` metadata; health and reflection do not."""

import datetime

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from grpc_service.server import build_server
from tests.config.factories import UserFactory
from tests.grpc_service.fixtures import make_book

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server_port(request, monkeypatch):
    from django.db import connection

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    server, port, _ = build_server(port=0, host="127.0.0.1", max_workers=2, auth=getattr(request, "param", "jwt"))
    server.start()
    yield port
    server.stop(grace=None).wait()


def get_book(port: int, book_id: int, metadata: tuple = ()) -> grpc.StatusCode:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = books_pb2_grpc.BookServiceStub(channel)
        try:
            stub.GetBook(books_pb2.GetBookRequest(id=book_id), metadata=metadata, timeout=10)
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK


def expired_access_token() -> str:
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=-datetime.timedelta(minutes=1))
    return str(token)


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        (lambda: (), grpc.StatusCode.UNAUTHENTICATED),
        (lambda: (("authorization", "Bearer"),), grpc.StatusCode.UNAUTHENTICATED),
        (lambda: (("authorization", "Bearer forged.token.value"),), grpc.StatusCode.UNAUTHENTICATED),
        (lambda: (("authorization", f"Bearer {expired_access_token()}"),), grpc.StatusCode.UNAUTHENTICATED),
        (
            lambda: (("authorization", f"Bearer {RefreshToken.for_user(UserFactory())}"),),
            grpc.StatusCode.UNAUTHENTICATED,
        ),
        (lambda: (("authorization", f"Basic {AccessToken.for_user(UserFactory())}"),), grpc.StatusCode.UNAUTHENTICATED),
        (lambda: (("authorization", f"Bearer {AccessToken.for_user(UserFactory())}"),), grpc.StatusCode.OK),
    ],
    ids=["none", "empty bearer", "forged", "expired", "a refresh token", "wrong scheme", "valid access token"],
)
def test_book_service_needs_a_valid_access_token(server_port, metadata, code):
    book = make_book()
    assert get_book(server_port, book.pk, metadata()) == code


def test_health_and_reflection_stay_open(server_port):
    with grpc.insecure_channel(f"127.0.0.1:{server_port}") as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        reply = next(
            iter(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        )
        assert "books.v1.BookService" in {service.name for service in reply.list_services_response.service}


@pytest.mark.parametrize("server_port", ["none"], indirect=True)
def test_grpc_auth_none_opens_the_service(server_port):
    assert get_book(server_port, make_book().pk) == grpc.StatusCode.OK


def test_an_unknown_auth_mode_is_refused():
    with pytest.raises(ValueError, match="GRPC_AUTH must be jwt or none"):
        build_server(port=0, host="127.0.0.1", auth="basic")
