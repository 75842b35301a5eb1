"""POST /deals (upload deals.csv) and GET /deals (top-5 customers)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deals.exceptions import DealsFileError
from deals.selectors import deals_top_customers
from deals.serializers import (
    DealsUploadErrorSerializer,
    DealsUploadInputSerializer,
    DealsUploadOkSerializer,
    TopCustomersOutputSerializer,
)
from deals.services import deals_upload, deals_upload_too_large

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


class DealsApi(APIView):
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

    @extend_schema(
        tags=["deals"],
        summary="Top-5 customers of the current dataset",
        description=(
            "The 5 customers with the largest sum of `total` (ties by username), each with the gems bought by "
            'at least two of these five and by this customer, sorted. `{"response": []}` before any upload.'
        ),
        auth=[],
        responses={200: OpenApiResponse(TopCustomersOutputSerializer, description="The top customers (maybe none)")},
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
            "Multipart field `deals`. The file is validated and loaded as a whole: on any error nothing changes "
            "and `Desc` names the line. Header `customer,item,total,quantity,date` (any order), UTF-8 (BOM ok)."
        ),
        request={"multipart/form-data": DealsUploadInputSerializer},
        responses={
            200: OpenApiResponse(DealsUploadOkSerializer, description="The file was processed"),
            400: OpenApiResponse(DealsUploadErrorSerializer, description="The file was rejected; nothing changed"),
            401: OpenApiResponse(description='Missing or invalid JWT: `{"detail": "..."}`'),
        },
        examples=[
            OpenApiExample("processed", {"Status": "OK"}, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "rejected",
                {"Status": "Error", "Desc": 'line 17: quantity must be a positive integer, got "x"'},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        # The file is the input; deals_upload validates it (and a missing field) so every problem keeps the
        # {"Status", "Desc"} shape of the brief. DealsUploadInputSerializer only describes the form.
        request_bytes = int(request.META.get("CONTENT_LENGTH") or 0)
        # A body over the limit is refused before Django reads it into a temporary file.
        file = None if deals_upload_too_large(request_bytes=request_bytes) else request.FILES.get("deals")
        try:
            deals_upload(file=file, user=request.user, request_bytes=request_bytes)
        except DealsFileError as exc:
            return Response({"Status": "Error", "Desc": exc.message}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"Status": "OK"})
