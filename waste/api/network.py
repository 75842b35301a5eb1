"""Storages (CRUD and emptying) and routes (CRUD): every change answers with the transfers it caused."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import LimitOffsetPagination
from waste import selectors, services
from waste.api.schema import ERROR_400, ERROR_401, ROUTE, STORAGE, TAG, TRANSFER, error_404
from waste.serializers import (
    EmptyInSerializer,
    RouteInSerializer,
    RouteOutSerializer,
    RouteUpdateSerializer,
    RouteWriteOutSerializer,
    StorageEmptyOutSerializer,
    StorageInSerializer,
    StorageOutSerializer,
    StorageUpdateInSerializer,
    StorageWriteOutSerializer,
)

STORAGE_WRITTEN = {**STORAGE, "transfers": [TRANSFER]}
ROUTE_WRITTEN = {**ROUTE, "transfers": [TRANSFER]}


def _storage_out(storage_id: int, transfers: list) -> dict:
    storage = selectors.storage_get(storage_id=storage_id)
    return StorageWriteOutSerializer(storage, context={"transfers": transfers}).data


class StorageListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=[TAG],
        summary="List storages with capacity, stored and free room per type",
        responses={200: StorageOutSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("МНО2", STORAGE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(selectors.storage_list(), request)
        return paginator.get_paginated_response(StorageOutSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Create a storage equipped for some waste types (pending waste is dispatched again)",
        request=StorageInSerializer,
        responses={201: StorageWriteOutSerializer, 400: ERROR_400, 401: ERROR_401},
        examples=[
            OpenApiExample("МНО2", {"name": "МНО2", "capacity": {"plastic": 50, "bio": 150}}, request_only=True),
            OpenApiExample("created", STORAGE_WRITTEN, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        data = StorageInSerializer.validate_or_400(request.data)
        storage, transfers = services.storage_create(name=data["name"], capacity=data["capacity"])
        return Response(_storage_out(storage.pk, transfers), status=status.HTTP_201_CREATED)


class StorageDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=[TAG],
        summary="A storage with capacity, stored and free room per type",
        responses={200: StorageOutSerializer, 404: error_404("storage")},
        examples=[OpenApiExample("МНО2", STORAGE, response_only=True)],
    )
    def get(self, request: Request, storage_id: int) -> Response:
        return Response(StorageOutSerializer(selectors.storage_get(storage_id=storage_id)).data)

    @extend_schema(
        tags=[TAG],
        summary="Rename and/or re-equip a storage (`capacity` replaces the whole set; more room dispatches waste)",
        request=StorageUpdateInSerializer,
        responses={200: StorageWriteOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: error_404("storage")},
        examples=[
            OpenApiExample("more plastic room", {"capacity": {"plastic": 80, "bio": 150}}, request_only=True),
            OpenApiExample("updated", STORAGE_WRITTEN, response_only=True),
        ],
    )
    def patch(self, request: Request, storage_id: int) -> Response:
        storage = selectors.storage_get(storage_id=storage_id)
        data = StorageUpdateInSerializer.validate_or_400(request.data)
        storage, transfers = services.storage_update(
            storage=storage, name=data.get("name"), capacity=data.get("capacity")
        )
        return Response(_storage_out(storage.pk, transfers))

    @extend_schema(
        tags=[TAG],
        summary="Delete a storage with its routes (distances through it are recomputed)",
        responses={204: None, 401: ERROR_401, 404: error_404("storage")},
    )
    def delete(self, request: Request, storage_id: int) -> Response:
        services.storage_delete(storage=selectors.storage_get(storage_id=storage_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StorageEmptyApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=[TAG],
        summary="Recycle: empty the storage (all types, or the given ones), then dispatch pending waste",
        request=EmptyInSerializer,
        responses={200: StorageEmptyOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: error_404("storage")},
        examples=[
            OpenApiExample("glass only", {"types": ["glass"]}, request_only=True),
            OpenApiExample("emptied", {"storage": STORAGE, "transfers": [TRANSFER]}, response_only=True),
        ],
    )
    def post(self, request: Request, storage_id: int) -> Response:
        storage = selectors.storage_get(storage_id=storage_id)
        data = EmptyInSerializer.validate_or_400(request.data)
        storage, transfers = services.storage_empty(storage=storage, waste_types=data.get("types"))
        body = {"storage": selectors.storage_get(storage_id=storage.pk), "transfers": transfers}
        return Response(StorageEmptyOutSerializer(body).data)


class RouteListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=[TAG],
        summary="List routes",
        responses={200: RouteOutSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("ОО1 → МНО2", ROUTE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(selectors.route_list(), request)
        return paginator.get_paginated_response(RouteOutSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Add a route from an organization or a storage to a storage (new paths dispatch pending waste)",
        request=RouteInSerializer,
        responses={201: RouteWriteOutSerializer, 400: ERROR_400, 401: ERROR_401},
        examples=[
            OpenApiExample(
                "ОО1 → МНО2", {"from_organization": 1, "to_storage": 2, "distance_m": 50}, request_only=True
            ),
            OpenApiExample(
                "МНО2 ↔ МНО5",
                {"from_storage": 2, "to_storage": 5, "distance_m": 50, "two_way": True},
                request_only=True,
            ),
            OpenApiExample("created", ROUTE_WRITTEN, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        data = RouteInSerializer.validate_or_400(request.data)
        route, transfers = services.route_create(
            from_organization=data.get("from_organization"),
            from_storage=data.get("from_storage"),
            to_storage=data["to_storage"],
            distance_m=data["distance_m"],
            two_way=data["two_way"],
        )
        route = selectors.route_get(route_id=route.pk)
        return Response(RouteWriteOutSerializer(route, context={"transfers": transfers}).data, status=201)


class RouteDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=[TAG],
        summary="A route",
        responses={200: RouteOutSerializer, 404: error_404("route")},
        examples=[OpenApiExample("ОО1 → МНО2", ROUTE, response_only=True)],
    )
    def get(self, request: Request, route_id: int) -> Response:
        return Response(RouteOutSerializer(selectors.route_get(route_id=route_id)).data)

    @extend_schema(
        tags=[TAG],
        summary="Change a route's length or direction (its ends are fixed)",
        request=RouteUpdateSerializer,
        responses={200: RouteWriteOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: error_404("route")},
        examples=[
            OpenApiExample("shorter", {"distance_m": 40}, request_only=True),
            OpenApiExample("updated", ROUTE_WRITTEN, response_only=True),
        ],
    )
    def patch(self, request: Request, route_id: int) -> Response:
        route = selectors.route_get(route_id=route_id)
        data = RouteUpdateSerializer.validate_or_400(request.data)
        route, transfers = services.route_update(route=route, **data)
        route = selectors.route_get(route_id=route.pk)
        return Response(RouteWriteOutSerializer(route, context={"transfers": transfers}).data)

    @extend_schema(
        tags=[TAG],
        summary="Delete a route (distances are recomputed; waste already moved stays)",
        responses={204: None, 401: ERROR_401, 404: error_404("route")},
    )
    def delete(self, request: Request, route_id: int) -> Response:
        services.route_delete(route=selectors.route_get(route_id=route_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
