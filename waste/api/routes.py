"""Routes: CRUD (staff); reads are public. Distances follow every change in the same transaction."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import NO_CONTENT, paginated_response, validate_or_400
from config.pagination import LimitOffsetPagination
from config.parsers import JSONParser
from waste.api.schema import ERROR_400, ERROR_400_ROUTE, ROUTE, STAFF_WRITE_ERRORS, TAG, TRANSFER, error_404, page
from waste.permissions import IsStaffOrReadOnly
from waste.selectors import route_get, route_list
from waste.serializers.inputs import RouteInputSerializer, RouteUpdateInputSerializer
from waste.serializers.outputs import RouteOutputSerializer, RouteWriteOutputSerializer
from waste.services import route_create, route_delete, route_update

ROUTE_WRITTEN = {**ROUTE, "transfers": [TRANSFER]}


def _route_out(route_id: int, transfers: list) -> dict:
    return RouteWriteOutputSerializer(route_get(route_id=route_id), context={"transfers": transfers}).data


class RouteListApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=[TAG],
        summary="List routes",
        description="Routes in id order, each with its ends (id and name), length and direction; public.",
        responses={200: RouteOutputSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("ОО1 → МНО2", page(ROUTE), response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return paginated_response(request, route_list(), RouteOutputSerializer)

    @extend_schema(
        tags=[TAG],
        summary="Add a route (staff)",
        description="A road from an organization or a storage to a storage (`two_way` only between storages). Only "
        "the distances this road shortens are rewritten; waiting waste that can now reach a storage is dispatched "
        "and listed in `transfers`. Ids are JSON integers. Staff only.",
        request=RouteInputSerializer,
        responses={201: RouteWriteOutputSerializer, 400: ERROR_400_ROUTE, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "ОО1 → МНО2", {"from_organization": 1, "to_storage": 2, "distance_m": 50}, request_only=True
            ),
            OpenApiExample(
                "МНО2 ↔ МНО5",
                {"from_storage": 2, "to_storage": 5, "distance_m": 50, "two_way": True},
                request_only=True,
            ),
            OpenApiExample("created", ROUTE_WRITTEN, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validate_or_400(RouteInputSerializer, request.data)
        route, transfers = route_create(
            from_organization=data.get("from_organization"),
            from_storage=data.get("from_storage"),
            to_storage=data["to_storage"],
            distance_m=data["distance_m"],
            two_way=data["two_way"],
        )
        return Response(_route_out(route.pk, transfers), status=status.HTTP_201_CREATED)


class RouteDetailApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="A route",
        description="One route with its ends, length and direction; public.",
        responses={200: RouteOutputSerializer, 404: error_404("route")},
        examples=[OpenApiExample("ОО1 → МНО2", ROUTE, response_only=True)],
    )
    def get(self, request: Request, route_id: int) -> Response:
        return Response(RouteOutputSerializer(route_get(route_id=route_id)).data)

    @extend_schema(
        tags=[TAG],
        summary="Change a route's length or direction (staff)",
        description="Its ends are fixed (delete and create instead). Only the distances that change are rewritten; "
        "a shorter road may dispatch waiting waste (`transfers`). Staff only.",
        request=RouteUpdateInputSerializer,
        responses={
            200: RouteWriteOutputSerializer,
            400: ERROR_400_ROUTE,
            **STAFF_WRITE_ERRORS,
            404: error_404("route"),
        },
        examples=[
            OpenApiExample("shorter", {"distance_m": 40}, request_only=True),
            OpenApiExample("updated", ROUTE_WRITTEN, response_only=True),
        ],
    )
    def patch(self, request: Request, route_id: int) -> Response:
        route = route_get(route_id=route_id)
        data = validate_or_400(RouteUpdateInputSerializer, request.data)
        route, transfers = route_update(route=route, **data)
        return Response(_route_out(route.pk, transfers))

    @extend_schema(
        tags=[TAG],
        summary="Delete a route (staff)",
        description="Distances that used this road are recomputed; waste already moved stays where it is. Staff only.",
        responses={204: NO_CONTENT, **STAFF_WRITE_ERRORS, 404: error_404("route")},
    )
    def delete(self, request: Request, route_id: int) -> Response:
        route_delete(route=route_get(route_id=route_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
