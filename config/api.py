"""The shared API plumbing every app uses: validate-or-400, a paginated answer, strict fields, error schemas.

How an endpoint is written here (see books/api/books.py for the example every app follows):
`<Entity>ListApi` / `<Entity>DetailApi` / `<Entity><Action>Api` views validate with `validate_or_400`, call one
service or selector, and answer with an `*OutputSerializer`; errors are `DomainError`s mapped by
config.exceptions.exception_handler and documented with `error_response`.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from config.pagination import LimitOffsetPagination


def validate_or_400(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict:
    """Validated data of `data`, or a 400 `{"field": ["message"]}` naming each bad field."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def paginated_page(
    request: Request, items: QuerySet | Iterable, serializer_class: type[serializers.Serializer], **kwargs: Any
) -> dict:
    """`{"count", "items"}` of one `?limit=&offset=` page of `items`, serialized with `serializer_class`."""
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(items, request)
    return {"count": paginator.count, "items": serializer_class(page, many=True, **kwargs).data}


def paginated_response(
    request: Request, items: QuerySet | Iterable, serializer_class: type[serializers.Serializer], **kwargs: Any
) -> Response:
    return Response(paginated_page(request, items, serializer_class, **kwargs))


# Strict input fields: a JSON string is not a number and `true` is not 1 (the API's coercion convention).
class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "A valid integer is required (a JSON number, not a string)."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be a JSON boolean (true or false)."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ErrorOutputSerializer(serializers.Serializer):
    """`{"detail", "code", ...}`: what every non-validation error looks like."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class ValidationErrorOutputSerializer(serializers.Serializer):
    """`{"field": ["message", ...]}`: one key per bad field (`non_field_errors` for the body as a whole)."""

    field = serializers.ListField(child=serializers.CharField(), required=False)


class ErrorOrValidationOutputSerializer(serializers.Serializer):
    """Either `{"detail", "code", ...}` or `{"field": ["message"]}`, for answers that can be both."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


def error_response(description: str, *examples: tuple[str, dict], serializer: Any = None) -> OpenApiResponse:
    """An OpenAPI error response with a body schema and one named example per case."""
    return OpenApiResponse(
        response=serializer or ErrorOutputSerializer,
        description=description,
        examples=[OpenApiExample(name, value, response_only=True) for name, value in examples],
    )


def not_found_message(entity: str, entity_id: object) -> str:
    """The one not-found wording: `Book 42 not found.`"""
    return f"{entity.capitalize()} {entity_id} not found."


def validation_error_response(*examples: tuple[str, dict]) -> OpenApiResponse:
    return error_response(
        'Invalid input: `{"field": ["message"]}` naming each bad field, or `{"detail", "code", ...}`.',
        *examples,
        serializer=ValidationErrorOutputSerializer,
    )


ERROR_401 = error_response(
    "Missing, invalid or expired JWT.",
    ("no token", {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}),
    ("bad token", {"detail": "Given token not valid for any token type", "code": "token_not_valid"}),
)
ERROR_403 = error_response(
    "Authenticated, but not allowed to do this.",
    ("not staff", {"detail": "You do not have permission to perform this action.", "code": "permission_denied"}),
)
ERROR_429 = error_response(
    "Too many requests; retry after the number of seconds in `Retry-After`.",
    ("throttled", {"detail": "Request was throttled. Expected available in 42 seconds.", "code": "throttled"}),
)
ERROR_503 = error_response(
    "The database is unavailable; retry after `Retry-After` seconds.",
    ("database down", {"detail": "The database is unavailable; try again shortly.", "code": "database_unavailable"}),
)
NO_CONTENT = OpenApiResponse(description="Done; no body.")


def truncated(value: object, limit: int = 64) -> str:
    """`value` as text, cut to `limit` characters, for error messages that echo client input back."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


# Room for the multipart boundaries and part headers around an uploaded file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def request_body_bytes(request: Request) -> int:
    """The declared size of the request body (`Content-Length`; 0 when absent or malformed)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def upload_body_too_large(request_bytes: int, file_limit: int) -> bool:
    """Whether a multipart body of `request_bytes` cannot hold a file within `file_limit`: refused before reading."""
    return request_bytes > file_limit + MULTIPART_OVERHEAD_BYTES
