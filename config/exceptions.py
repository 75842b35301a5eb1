"""One error shape for the whole API, produced by one exception handler.

Validation errors keep DRF's `{"field": ["message"]}`; everything else is `{"detail": "...", "code": "..."}`.
Services raise `DomainError` subclasses that know nothing about HTTP; they are mapped here.
"""

import logging

import psycopg
from django import db
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule was broken; `status_code` is how the REST API reports it."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str = "", **context: object) -> None:
        super().__init__(message or self.__doc__ or self.code)
        self.context = context

    @property
    def message(self) -> str:
        return str(self.args[0])


class NotFoundError(DomainError):
    """The requested object does not exist."""

    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class ConflictError(DomainError):
    """The request conflicts with the current state."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


# A lost or refused database connection is an outage, not a bug: 503 and the client may retry.
DATABASE_UNAVAILABLE = (db.OperationalError, db.InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def exception_handler(exc: Exception, context: dict) -> Response:
    """The one mapping of exceptions to error answers; a view may reshape the body by defining `error_body`."""
    response = _error_response(exc, context)
    error_body = getattr(context.get("view"), "error_body", None)
    if error_body is not None:  # e.g. brief 003's {"Status": "Error", "Desc": ...} for POST /deals
        response.data = error_body(response.data)
    return response


def _error_response(exc: Exception, context: dict) -> Response:
    if isinstance(exc, DomainError):
        body: dict = {"detail": exc.message, "code": exc.code}
        body.update({key: value for key, value in exc.context.items() if key not in body})
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large.", "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        logger.warning("suspicious request refused: %s", exc)
        return Response({"detail": "Bad request.", "code": "bad_request"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, dict) and set(response.data) == {"detail"}:
            # Every non-validation error names its cause in `code`, DRF's own (401, 403, 404, 405, 415, 429) too.
            codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
            response.data["code"] = codes if isinstance(codes, str) else "error"
        return response
    view = context.get("view")
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("database unavailable in %s", type(view).__name__ if view else "view", exc_info=exc)
        return Response(
            {"detail": "The database is unavailable; try again shortly.", "code": "database_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    logger.exception("unhandled error in %s", type(view).__name__ if view else "view", exc_info=exc)
    return Response(
        {"detail": "Internal server error", "code": "server_error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """`handler404`: an unknown URL answers JSON like every endpoint, not Django's HTML page."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)


def json_server_error(request: HttpRequest) -> JsonResponse:
    """`handler500`: errors outside DRF views (middleware, plain Django views) answer JSON too."""
    return JsonResponse(
        {"detail": "Internal server error", "code": "server_error"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """`handler400`: a disallowed Host, a malformed request line or path answer JSON, naming no internals."""
    return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=status.HTTP_400_BAD_REQUEST)


def json_forbidden(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """`handler403`."""
    return JsonResponse(
        {"detail": "You do not have permission to perform this action.", "code": "permission_denied"},
        status=status.HTTP_403_FORBIDDEN,
    )
