"""The one pagination class: `?limit=` (default 20, max 100) and `?offset=` → `{"count", "items"}`."""

from django.conf import settings
from rest_framework import pagination, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

MAX_LIMIT = 100


class PageParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False)
    offset = serializers.IntegerField(min_value=0, required=False)


def page_params(request: Request) -> tuple[int, int]:
    """Validated (limit, offset) from the query string; a bad value is a 400 naming the parameter."""
    # A plain dict, not the QueryDict: an empty `?limit=` is then an error, not silently the default.
    given = {name: request.query_params[name] for name in ("limit", "offset") if name in request.query_params}
    params = PageParamsSerializer(data=given)
    if not params.is_valid():
        raise ValidationError(params.errors)
    return params.validated_data.get("limit", settings.REST_FRAMEWORK["PAGE_SIZE"]), params.validated_data.get(
        "offset", 0
    )


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 20
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit, self.offset = page_params(request)
        self.count = self.get_count(queryset)
        if self.count == 0 or self.offset > self.count:
            return []
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data) -> Response:
        return Response({"count": self.count, "items": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "items"],
            "properties": {"count": {"type": "integer", "example": 123}, "items": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"Page size, 1..{MAX_LIMIT} (default 20).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
            },
            {
                "name": "offset",
                "required": False,
                "in": "query",
                "description": "Number of items to skip (default 0).",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
        ]
