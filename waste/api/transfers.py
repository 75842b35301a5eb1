"""The history of disposals (public)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import paginated_response, validate_or_400
from config.pagination import LimitOffsetPagination
from waste.api.schema import ERROR_400, TAG, TRANSFER, page
from waste.models import WASTE_TYPES
from waste.selectors import transfer_list
from waste.serializers.inputs import TransferFilterInputSerializer
from waste.serializers.outputs import TransferOutputSerializer


class TransferListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=[TAG],
        summary="List transfers",
        description="Every disposal move, newest first, optionally only of one organization, storage or type. "
        "Names are kept, so the history survives deleting a site (its id becomes null). Public.",
        parameters=[
            OpenApiParameter("organization", int, description="Organization id"),
            OpenApiParameter("storage", int, description="Storage id"),
            OpenApiParameter("type", str, enum=list(WASTE_TYPES), description="Waste type"),
        ],
        responses={200: TransferOutputSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("transfer", page(TRANSFER), response_only=True)],
    )
    def get(self, request: Request) -> Response:
        filters = validate_or_400(TransferFilterInputSerializer, request.query_params.dict())
        transfers = transfer_list(
            organization_id=filters.get("organization"),
            storage_id=filters.get("storage"),
            waste_type=filters.get("type"),
        )
        return paginated_response(request, transfers, TransferOutputSerializer)
