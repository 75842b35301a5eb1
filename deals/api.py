"""POST /deals (upload deals.csv) and GET /deals (top-5 customers)."""

from contextlib import nullcontext

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ERROR_503, error_response, request_body_bytes, upload_body_too_large
from deals.multipart import DealsForm
from deals.selectors import deals_top_customers
from deals.serializers import (
    DealsUploadErrorOutputSerializer,
    DealsUploadInputSerializer,
    DealsUploadOutputSerializer,
    TopCustomersOutputSerializer,
)
from deals.services import deals_upload

# The answer for deals/fixtures/demo_deals.csv (the demo data).
TOP_EXAMPLE = {
    "response": [
        {"username": "resplendent", "spent_money": 451731, "gems": ["Рубин", "Сапфир", "Танзанит"]},
        {"username": "bellwether", "spent_money": 217794, "gems": ["Петерсит", "Сапфир"]},
        {"username": "uvulaperfly117", "spent_money": 120419, "gems": ["Петерсит", "Танзанит"]},
        {"username": "braggadocio", "spent_money": 108957, "gems": ["Изумруд"]},
        {"username": "turophile", "spent_money": 100132, "gems": ["Изумруд", "Рубин"]},
    ]
}


def brief_error(body: object) -> dict:
    """Brief 003's `{"Status": "Error", "Desc": "..."}` from the API's error body (`detail` or field messages)."""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return {"Status": "Error", "Desc": body["detail"]}
    if isinstance(body, dict):
        parts = [
            f"{field}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"
            for field, messages in body.items()
        ]
        return {"Status": "Error", "Desc": "; ".join(parts)}
    return {"Status": "Error", "Desc": str(body)}


def _upload_error(description: str, *examples: tuple[str, str]) -> OpenApiResponse:
    return error_response(
        description,
        *((name, {"Status": "Error", "Desc": desc}) for name, desc in examples),
        serializer=DealsUploadErrorOutputSerializer,
    )


class DealListApi(APIView):
    """GET reads the current dataset's top customers; POST replaces the whole dataset."""

    parser_classes = [MultiPartParser]

    def get_authenticators(self) -> list:
        # GET is public: no authentication at all, so a stale token in a browser does not turn it into a 401.
        if self.request is not None and self.request.method == "GET":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list:
        if self.request.method == "GET":
            return [AllowAny()]
        return super().get_permissions()

    def error_body(self, body: object) -> object:
        """Called by config.exceptions.exception_handler: every failed upload answers in the brief's shape."""
        if self.request is not None and self.request.method == "GET":
            return body
        return brief_error(body)

    @extend_schema(
        tags=["deals"],
        summary="Top-5 customers of the current dataset",
        description=(
            "The 5 customers with the largest sum of `total` (ties by username), each with the gems bought by "
            'at least two of these five and by this customer, sorted. `{"response": []}` before any upload.'
        ),
        auth=[],
        responses={
            200: OpenApiResponse(TopCustomersOutputSerializer, description="The top customers (maybe none)"),
            503: ERROR_503,
        },
        examples=[
            OpenApiExample("top customers", TOP_EXAMPLE, response_only=True),
            OpenApiExample(
                "decimal sum",
                {"response": [{"username": "user1", "spent_money": 10000.18, "gems": []}]},
                response_only=True,
            ),
            OpenApiExample("no dataset yet", {"response": []}, response_only=True),
        ],
    )
    def get(self, request: Request) -> Response:
        return Response({"response": deals_top_customers()})

    @extend_schema(
        tags=["deals"],
        summary="Upload deals.csv, replacing the whole dataset",
        description=(
            "Multipart field `deals` holding exactly one file. The file is validated and loaded as a whole: on any "
            "error nothing changes and `Desc` names the line and the problem. Header "
            "`customer,item,total,quantity,date` (any order, at most DEALS_MAX_HEADER_BYTES bytes), UTF-8 (BOM ok), "
            "at most DEALS_MAX_UPLOAD_BYTES (200 MiB by default). Every failure, whatever its status, answers "
            '`{"Status": "Error", "Desc": "..."}` as brief 003 asks.\n\n'
            "```bash\ncurl -H 'Authorization: Bearer <access>' -F deals=@deals.csv http://localhost:8000/deals\n```"
        ),
        request={"multipart/form-data": DealsUploadInputSerializer},
        responses={
            200: OpenApiResponse(DealsUploadOutputSerializer, description="The file was processed"),
            400: _upload_error(
                "The request or the file was rejected; nothing changed. `Desc` names the line and the problem.",
                ("bad value", 'line 17: quantity must be a positive integer, got "x"'),
                (
                    "bad header",
                    "line 1: the header must be customer,item,total,quantity,date (any order): missing date",
                ),
                ("no file", 'the "deals" file field is required (multipart/form-data)'),
                ("two files", 'send one file in the "deals" field, not 2'),
            ),
            401: _upload_error(
                "Missing, invalid or expired JWT.",
                ("no token", "Authentication credentials were not provided."),
                ("bad token", "Given token not valid for any token type"),
            ),
            405: _upload_error("Only GET and POST exist here.", ("PUT", 'Method "PUT" not allowed.')),
            413: _upload_error(
                "A form field other than the file is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.",
                ("too large", "The request body is too large."),
            ),
            415: _upload_error(
                "The body is not multipart/form-data.",
                ("JSON body", 'Unsupported media type "application/json" in request.'),
            ),
        },
        examples=[
            OpenApiExample(
                "deals.csv",
                {"deals": "(the file: curl -F deals=@deals.csv)"},
                request_only=True,
                media_type="multipart/form-data",
            ),
            OpenApiExample("processed", {"Status": "OK"}, response_only=True, status_codes=["200"]),
        ],
    )
    def post(self, request: Request) -> Response:
        # deals_upload validates the form too (a missing or doubled field), so its DealsFileError carries the Desc;
        # DealsUploadInputSerializer only describes the form. A body over the limit is refused before it is read;
        # any other is parsed by DealsForm's thread while the service loads the file.
        request_bytes = request_body_bytes(request)
        readable = request_bytes > 0 and not upload_body_too_large(request_bytes, settings.DEALS_MAX_UPLOAD_BYTES)
        if readable and request.negotiator.select_parser(request, request.parsers) is None:
            raise UnsupportedMediaType(request.content_type)
        with DealsForm(request._request) if readable else nullcontext() as form:
            deals_upload(form=form, user=request.user, request_bytes=request_bytes)
        return Response({"Status": "OK"})
