"""BookService, health and reflection on a real server bound to a free port, reading the test database."""

import base64
import datetime
import json

import grpc
import pytest
from django.core import signing
from django.db import connection
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from books.models import Book
from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from grpc_service.server import PAGE_TOKEN_SALT, build_server, encode_page_token
from tests.grpc_service.fixtures import make_book

pytestmark = pytest.mark.django_db(transaction=True)


def abort_code(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as error:
        call()
    return error.value.code()


def test_get_book_returns_every_field(grpc_stub):
    book = make_book("Dune", authors=("Frank Herbert", "Brian Herbert"), rating_count=2)

    reply = grpc_stub.GetBook(books_pb2.GetBookRequest(id=book.pk))

    assert reply.id == book.pk
    assert reply.title == "Dune"
    assert [(author.name) for author in reply.authors] == ["Brian Herbert", "Frank Herbert"]
    assert reply.author == "Brian Herbert, Frank Herbert"
    assert {author.id for author in reply.authors} == set(book.authors.values_list("id", flat=True))
    assert (reply.published_on.year, reply.published_on.month, reply.published_on.day) == (1965, 8, 1)
    assert reply.HasField("rating")
    assert reply.rating == pytest.approx(4.0)
    assert reply.rating_count == 2
    assert reply.created_at.ToDatetime(tzinfo=datetime.UTC) == book.created_at


def test_unrated_book_has_no_rating(grpc_stub):
    reply = grpc_stub.GetBook(books_pb2.GetBookRequest(id=make_book().pk))
    assert not reply.HasField("rating")
    assert reply.rating_count == 0


@pytest.mark.parametrize(
    ("book_id", "code"),
    [
        (999_999, grpc.StatusCode.NOT_FOUND),
        (0, grpc.StatusCode.INVALID_ARGUMENT),
        (-3, grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
def test_get_book_errors(grpc_stub, book_id, code):
    make_book()
    assert abort_code(lambda: grpc_stub.GetBook(books_pb2.GetBookRequest(id=book_id))) == code


def test_list_books_pages_through_everything_while_rows_are_inserted(grpc_stub):
    initial = [make_book(f"Book {index}").pk for index in range(23)]
    seen: list[int] = []
    inserted: list[int] = []
    token, pages = "", 0
    while True:
        reply = grpc_stub.ListBooks(books_pb2.ListBooksRequest(page_size=5, page_token=token))
        seen.extend(book.id for book in reply.books)
        pages += 1
        assert reply.total_size == len(initial) + len(inserted)
        # A writer inserts between pages: new ids are larger, so they show up at the end, never shift a page.
        inserted.append(make_book(f"New {pages}").pk)
        token = reply.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)), "a book was returned twice"
    assert seen == sorted(seen)
    assert set(initial) <= set(seen), "a book was skipped"
    assert set(seen) == set(Book.objects.filter(pk__lte=seen[-1]).values_list("id", flat=True))


def test_list_books_default_page_size_and_last_page(grpc_stub):
    for index in range(21):
        make_book(f"Book {index}")
    first = grpc_stub.ListBooks(books_pb2.ListBooksRequest())
    assert len(first.books) == 20
    assert first.total_size == 21
    last = grpc_stub.ListBooks(books_pb2.ListBooksRequest(page_token=first.next_page_token))
    assert len(last.books) == 1
    assert last.next_page_token == ""


def test_list_books_filters_by_author(grpc_stub):
    book = make_book("Dune", authors=("Frank Herbert",))
    make_book("Solaris", authors=("Stanislaw Lem",))
    author_id = book.authors.get().pk
    reply = grpc_stub.ListBooks(books_pb2.ListBooksRequest(author_id=author_id, page_size=1))
    assert [item.title for item in reply.books] == ["Dune"]
    assert reply.total_size == 1
    assert reply.next_page_token == ""


def _signed_deeply_nested_token() -> str:
    deep = signing.b64_encode(("[" * 5000 + "]" * 5000).encode()).decode()
    return signing.TimestampSigner(salt=PAGE_TOKEN_SALT).sign(deep)


def _token(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"page_size": -1},
        {"page_size": 101},
        {"page_token": "not base64!"},
        {"page_token": base64.urlsafe_b64encode(b"\xff\xfe").decode()},
        {"page_token": _token([1, 2])},
        {"page_token": _token({"v": 1, "after": "7", "author": None})},
        {"page_token": _token({"v": 1, "after": -1, "author": None})},
        {"page_token": _token({"v": 2, "after": 7, "author": None})},
        {"page_token": encode_page_token(after_id=5, author_id=3)},  # issued for another filter
        {"page_token": _token({"v": 1, "after": 0, "author": None})},  # well-formed but not signed: forged
        {"page_token": _signed_deeply_nested_token()},  # signed, yet 5,000 levels deep: no RecursionError
        {"page_token": encode_page_token(after_id=5, author_id=None)[:-3] + "abc"},  # signature tampered
        {"author_id": 0},
    ],
)
def test_list_books_invalid_arguments(grpc_stub, request_kwargs):
    code = abort_code(lambda: grpc_stub.ListBooks(books_pb2.ListBooksRequest(**request_kwargs)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_health_reports_serving(grpc_stub):
    health = health_pb2_grpc.HealthStub(grpc_stub.channel)
    for service in ("", "books.v1.BookService"):
        reply = health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_services(grpc_stub):
    reflection = reflection_pb2_grpc.ServerReflectionStub(grpc_stub.channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    reply = next(iter(reflection.ServerReflectionInfo(iter([request]))))
    names = {service.name for service in reply.list_services_response.service}
    assert {"books.v1.BookService", "grpc.health.v1.Health"} <= names


def test_a_book_without_authors_has_an_empty_author_string(grpc_stub):
    book = make_book("Anonymous", authors=())
    reply = grpc_stub.GetBook(books_pb2.GetBookRequest(id=book.pk))
    assert (reply.author, list(reply.authors)) == ("", [])
    assert [listed.author for listed in grpc_stub.ListBooks(books_pb2.ListBooksRequest()).books] == [""]


def test_reflection_v1_answers_like_v1alpha(grpc_stub):
    """grpcurl asks for grpc.reflection.v1 first; the messages are the same bytes as v1alpha's."""
    info = grpc_stub.channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    reply = next(iter(info(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))))
    names = {service.name for service in reply.list_services_response.service}
    assert {
        "books.v1.BookService",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= names


def test_database_down_is_unavailable_and_recovers(transactional_db, monkeypatch, closed_port):
    book = make_book()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    server, port, _ = build_server(port=0, host="127.0.0.1", max_workers=1, auth="none")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = books_pb2_grpc.BookServiceStub(channel)
            # The worker thread's next connection goes to a port where no PostgreSQL listens.
            real_port = connection.settings_dict["PORT"]
            monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port))
            assert abort_code(lambda: stub.GetBook(books_pb2.GetBookRequest(id=book.pk))) == grpc.StatusCode.UNAVAILABLE
            assert abort_code(lambda: stub.ListBooks(books_pb2.ListBooksRequest())) == grpc.StatusCode.UNAVAILABLE
            monkeypatch.setitem(connection.settings_dict, "PORT", real_port)
            assert stub.GetBook(books_pb2.GetBookRequest(id=book.pk)).title == book.title
    finally:
        server.stop(grace=None).wait()


@pytest.mark.parametrize(
    "request_kwargs",
    [{"file_containing_symbol": "books.v1.BookService"}, {"file_by_filename": "google/type/date.proto"}],
)
def test_reflection_serves_the_descriptors_grpcurl_needs_for_describe(grpc_stub, request_kwargs):
    reflection = reflection_pb2_grpc.ServerReflectionStub(grpc_stub.channel)
    reply = next(
        iter(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(**request_kwargs)])))
    )
    assert reply.WhichOneof("message_response") == "file_descriptor_response"
    assert reply.file_descriptor_response.file_descriptor_proto
