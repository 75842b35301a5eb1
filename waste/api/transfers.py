"""The history of disposals."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import LimitOffsetPagination
from waste import selectors
from waste.api.schema import ERROR_400, TAG, TRANSFER
from waste.models import WASTE_TYPES
from waste.serializers import TransferFilterSerializer, TransferOutSerializer


class TransferListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=[TAG],
        summary="Transfers, newest first, optionally by organization, storage and type",
        parameters=[
            OpenApiParameter("organization", int, description="Organization id"),
            OpenApiParameter("storage", int, description="Storage id"),
            OpenApiParameter("type", str, enum=list(WASTE_TYPES), description="Waste type"),
        ],
        responses={200: TransferOutSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("transfer", TRANSFER, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        filters = TransferFilterSerializer.validate_or_400(request.query_params.dict())
        transfers = selectors.transfer_list(
            organization_id=filters.get("organization"),
            storage_id=filters.get("storage"),
            waste_type=filters.get("type"),
        )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(transfers, request)
        return paginator.get_paginated_response(TransferOutSerializer(page, many=True).data)
