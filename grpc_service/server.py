"""The gRPC BookService over the Django ORM, plus the standard health and reflection services."""

import functools
import logging
from collections.abc import Callable
from concurrent import futures
from typing import Any, NamedTuple

import grpc
from django.conf import settings
from django.core import signing
from django.db import InterfaceError, OperationalError, close_old_connections
from google.protobuf.message import Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2

from books.cache import LISTS, book_scope
from books.exceptions import BookNotFoundError
from books.selectors import book_detail_payload, book_keyset_page
from grpc_service.answers import AnswerCache
from grpc_service.auth import JwtAuthInterceptor
from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from grpc_service.metrics import MetricsInterceptor

logger = logging.getLogger(__name__)

SERVICE_NAME = books_pb2.DESCRIPTOR.services_by_name["BookService"].full_name
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGE_TOKEN_VERSION = 1


class InvalidPageTokenError(ValueError):
    pass


def book_to_proto(payload: dict[str, Any]) -> books_pb2.Book:
    """The proto of a book payload as REST shows it (books/selectors.py), so both read one cached entry."""
    message = books_pb2.Book(
        id=payload["id"],
        title=payload["title"],
        author=payload["author"],
        authors=[books_pb2.Author(id=author["id"], name=author["name"]) for author in payload["authors"]],
        rating_count=payload["rating_count"],
    )
    year, month, day = payload["published_on"].split("-")
    message.published_on.year, message.published_on.month, message.published_on.day = int(year), int(month), int(day)
    if payload["rating"] is not None:
        message.rating = float(payload["rating"])
    message.created_at.FromJsonString(payload["created_at"])
    message.updated_at.FromJsonString(payload["updated_at"])
    return message


PAGE_TOKEN_SALT = "grpc_service.ListBooks.page_token"


def encode_page_token(*, after_id: int, author_id: int | None) -> str:
    """An opaque, signed cursor: a client can neither forge one nor move it to another filter."""
    return signing.dumps({"v": PAGE_TOKEN_VERSION, "after": after_id, "author": author_id}, salt=PAGE_TOKEN_SALT)


def decode_page_token(token: str, *, author_id: int | None) -> int:
    """The id the next page starts after; the token must come from a call with the same filter."""
    try:
        data = signing.loads(token, salt=PAGE_TOKEN_SALT)
        after_id, token_author = data["after"], data["author"]
        valid = data["v"] == PAGE_TOKEN_VERSION and isinstance(after_id, int) and after_id >= 0
    except (signing.BadSignature, ValueError, TypeError, KeyError, RecursionError) as exc:
        raise InvalidPageTokenError("page_token is malformed") from exc
    if not valid or isinstance(after_id, bool):
        raise InvalidPageTokenError("page_token is malformed")
    if token_author != author_id:
        raise InvalidPageTokenError("page_token was issued for a different author_id filter")
    return after_id


def rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    """A database outage answers UNAVAILABLE instead of UNKNOWN."""

    @functools.wraps(method)
    def wrapper(self, request, context):
        try:
            return method(self, request, context)
        except (OperationalError, InterfaceError):
            logger.warning("grpc: %s failed, database unavailable", method.__name__, exc_info=True)
            context.abort(grpc.StatusCode.UNAVAILABLE, "database unavailable, retry later")

    return wrapper


def from_database(build: Callable[[], bytes]) -> Callable[[], bytes]:
    """`build` between Django's connection checks (a broken or too old connection is replaced), so that an answer
    served from memory touches no connection at all."""

    def built() -> bytes:
        close_old_connections()
        try:
            return build()
        finally:
            close_old_connections()

    return built


class BookServicer(books_pb2_grpc.BookServiceServicer):
    """Answers are serialized messages (bytes), kept in an `AnswerCache`; `book_service_handler` sends them as
    they are."""

    def __init__(self, answers: AnswerCache | None = None) -> None:
        self.answers = answers or AnswerCache()

    @rpc
    def GetBook(self, request: books_pb2.GetBookRequest, context: grpc.ServicerContext) -> books_pb2.Book:
        if request.id <= 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "id must be a positive integer")
        try:
            return self.answers.get_or_build(
                book_scope(request.id),
                f"GetBook:{request.id}",
                from_database(lambda: book_to_proto(book_detail_payload(book_id=request.id)).SerializeToString()),
            )
        except BookNotFoundError:
            context.abort(grpc.StatusCode.NOT_FOUND, f"book {request.id} not found")

    @rpc
    def ListBooks(
        self, request: books_pb2.ListBooksRequest, context: grpc.ServicerContext
    ) -> books_pb2.ListBooksResponse:
        if not 0 <= request.page_size <= MAX_PAGE_SIZE:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"page_size must be between 0 and {MAX_PAGE_SIZE}")
        page_size = request.page_size or DEFAULT_PAGE_SIZE
        author_id = request.author_id if request.HasField("author_id") else None
        if author_id is not None and author_id <= 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "author_id must be a positive integer")
        after_id = 0
        if request.page_token:
            try:
                after_id = decode_page_token(request.page_token, author_id=author_id)
            except InvalidPageTokenError as exc:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))

        def build() -> bytes:
            page = book_keyset_page(after_id=after_id, limit=page_size, author_id=author_id)
            items = page["items"]
            next_token = encode_page_token(after_id=items[-1]["id"], author_id=author_id) if page["has_more"] else ""
            return books_pb2.ListBooksResponse(
                books=[book_to_proto(item) for item in items], next_page_token=next_token, total_size=page["total"]
            ).SerializeToString()

        return self.answers.get_or_build(LISTS, f"ListBooks:{after_id}:{page_size}:{author_id}", from_database(build))


def _serialized(message: bytes | Message) -> bytes:
    return message if isinstance(message, bytes) else message.SerializeToString()


def book_service_handler(servicer: BookServicer) -> grpc.GenericRpcHandler:
    """BookService as the generated `add_BookServiceServicer_to_server` registers it, except that answers the
    servicer already serialized go out without being parsed and serialized again."""
    service = books_pb2.DESCRIPTOR.services_by_name["BookService"]
    return grpc.method_handlers_generic_handler(
        SERVICE_NAME,
        {
            method.name: grpc.unary_unary_rpc_method_handler(
                getattr(servicer, method.name),
                request_deserializer=getattr(books_pb2, method.input_type.name).FromString,
                response_serializer=_serialized,
            )
            for method in service.methods
        },
    )


REFLECTION_V1_SERVICE = "grpc.reflection.v1.ServerReflection"


def reflection_v1_handler(servicer: reflection.ReflectionServicer) -> grpc.GenericRpcHandler:
    """Reflection v1 (what current grpcurl asks for first) served by grpcio-reflection's v1alpha servicer.

    grpcio-reflection ships only v1alpha; v1 is the same protocol under a new package name, with the same
    messages and field numbers, so the v1alpha messages read and write v1's bytes as they are.
    """
    return grpc.method_handlers_generic_handler(
        REFLECTION_V1_SERVICE,
        {
            "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
                servicer.ServerReflectionInfo,
                request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
                response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
            )
        },
    )


class BookServer(NamedTuple):
    server: grpc.Server
    port: int  # the bound port (a free one when asked for 0)
    health_servicer: health.HealthServicer


def build_server(
    *, port: int, host: str | None = None, max_workers: int | None = None, auth: str | None = None
) -> BookServer:
    """A server (not started) with BookService, health (SERVING) and reflection.

    `auth` is "jwt" (the default, GRPC_AUTH) or "none"; with GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE the port
    speaks TLS.
    """
    auth = auth or settings.GRPC_AUTH
    if auth not in ("jwt", "none"):
        raise ValueError(f"GRPC_AUTH must be jwt or none, not {auth!r}")
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers or settings.GRPC_MAX_WORKERS),
        interceptors=[MetricsInterceptor(), *([JwtAuthInterceptor()] if auth == "jwt" else [])],
    )
    server.add_generic_rpc_handlers([book_service_handler(BookServicer())])
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", SERVICE_NAME):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    service_names = (
        SERVICE_NAME,
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
        REFLECTION_V1_SERVICE,
    )
    reflection.enable_server_reflection(service_names, server)
    server.add_generic_rpc_handlers((reflection_v1_handler(reflection.ReflectionServicer(service_names)),))
    address = f"{host or settings.GRPC_HOST}:{port}"
    if settings.GRPC_TLS_CERT_FILE and settings.GRPC_TLS_KEY_FILE:
        with open(settings.GRPC_TLS_KEY_FILE, "rb") as key, open(settings.GRPC_TLS_CERT_FILE, "rb") as cert:
            bound = server.add_secure_port(address, grpc.ssl_server_credentials([(key.read(), cert.read())]))
    else:
        bound = server.add_insecure_port(address)
    if bound == 0:
        raise RuntimeError(f"cannot listen on {address}")
    return BookServer(server, bound, health_servicer)
