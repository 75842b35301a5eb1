"""Storages: CRUD and emptying (staff); reads are public. Every change answers with the transfers it caused."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import NO_CONTENT, validate_or_400, validation_error_response
from config.pagination import LimitOffsetPagination, page_params
from waste.api.schema import ERROR_400, ERROR_400_NAME, STAFF_WRITE_ERRORS, STORAGE, TAG, TRANSFER, error_404, page
from waste.permissions import IsStaffOrReadOnly
from waste.selectors import storage_get, storage_page_json
from waste.serializers.inputs import EmptyInputSerializer, NameFilterInputSerializer, StorageInputSerializer
from waste.serializers.outputs import (
    StorageEmptyOutputSerializer,
    StorageOutputSerializer,
    StorageWriteOutputSerializer,
)
from waste.services import storage_create, storage_delete, storage_empty, storage_update

STORAGE_WRITTEN = {**STORAGE, "transfers": [TRANSFER]}


def _storage_out(storage_id: int, transfers: list) -> dict:
    return StorageWriteOutputSerializer(storage_get(storage_id=storage_id), context={"transfers": transfers}).data


class StorageListApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=[TAG],
        summary="List storages",
        description="Storages in id order with capacity, stored and free room per equipped type (the fill of each "
        "room); public. `?name=` keeps those whose name contains the text (case-insensitive).",
        parameters=[OpenApiParameter("name", str, description="Only names containing this text (case-insensitive)")],
        responses={200: StorageOutputSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("МНО2", page(STORAGE), response_only=True)],
    )
    def get(self, request: Request) -> Response:
        filters = validate_or_400(NameFilterInputSerializer, request.query_params.dict())
        limit, offset = page_params(request)
        # Written by PostgreSQL in StorageOutputSerializer's shape (tests/waste/test_api_network.py holds them equal).
        page = storage_page_json(name=filters.get("name"), limit=limit, offset=offset)
        return HttpResponse(page, content_type="application/json")

    @extend_schema(
        tags=[TAG],
        summary="Create a storage (staff)",
        description="Creates a storage equipped for the waste types of `capacity`; waste waiting at organizations "
        "that can reach it is dispatched at once and listed in `transfers`. Staff only.",
        request=StorageInputSerializer,
        responses={201: StorageWriteOutputSerializer, 400: ERROR_400_NAME, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample("МНО2", {"name": "МНО2", "capacity": {"plastic": 50, "bio": 150}}, request_only=True),
            OpenApiExample("created", STORAGE_WRITTEN, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validate_or_400(StorageInputSerializer, request.data)
        storage, transfers = storage_create(name=data["name"], capacity=data["capacity"])
        return Response(_storage_out(storage.pk, transfers), status=status.HTTP_201_CREATED)


class StorageDetailApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="A storage",
        description="One storage with capacity, stored and free room per equipped type; public.",
        responses={200: StorageOutputSerializer, 404: error_404("storage")},
        examples=[OpenApiExample("МНО2", STORAGE, response_only=True)],
    )
    def get(self, request: Request, storage_id: int) -> Response:
        return Response(StorageOutputSerializer(storage_get(storage_id=storage_id)).data)

    @extend_schema(
        tags=[TAG],
        summary="Rename and/or re-equip a storage (staff)",
        description="Every key is optional. `capacity` replaces the whole equipment (types left out are removed); "
        "a capacity never drops below what is stored (400 `below_stored`). More room dispatches waiting waste, "
        "listed in `transfers`. Staff only.",
        request=StorageInputSerializer,
        responses={
            200: StorageWriteOutputSerializer,
            400: ERROR_400_NAME,
            **STAFF_WRITE_ERRORS,
            404: error_404("storage"),
        },
        examples=[
            OpenApiExample("more plastic room", {"capacity": {"plastic": 80, "bio": 150}}, request_only=True),
            OpenApiExample("updated", STORAGE_WRITTEN, response_only=True),
        ],
    )
    def patch(self, request: Request, storage_id: int) -> Response:
        storage = storage_get(storage_id=storage_id)
        data = validate_or_400(StorageInputSerializer, request.data, partial_update=True)
        storage, transfers = storage_update(
            storage=storage, name=data.get("name"), capacity=StorageInputSerializer.amounts(data)
        )
        return Response(_storage_out(storage.pk, transfers))

    @extend_schema(
        tags=[TAG],
        summary="Delete a storage (staff)",
        description="Deletes the storage with its rooms and routes; distances through it are recomputed. The "
        "transfer history keeps its name. Staff only.",
        responses={204: NO_CONTENT, **STAFF_WRITE_ERRORS, 404: error_404("storage")},
    )
    def delete(self, request: Request, storage_id: int) -> Response:
        storage_delete(storage=storage_get(storage_id=storage_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StorageEmptyApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="Recycle: empty a storage (staff)",
        description="Empties the storage's rooms (all types, or those in `types`), then dispatches waiting waste "
        "into the freed room; the answer has the storage and those transfers. Staff only.",
        request=EmptyInputSerializer,
        responses={
            200: StorageEmptyOutputSerializer,
            400: validation_error_response(
                ("not a type", {"types": {"0": ["Not a waste type; expected one of: bio, glass, plastic."]}}),
                ("not equipped", {"detail": "storage 2 is not equipped for glass", "code": "type_not_equipped"}),
            ),
            **STAFF_WRITE_ERRORS,
            404: error_404("storage"),
        },
        examples=[
            OpenApiExample("glass only", {"types": ["glass"]}, request_only=True),
            OpenApiExample("emptied", {"storage": STORAGE, "transfers": [TRANSFER]}, response_only=True),
        ],
    )
    def post(self, request: Request, storage_id: int) -> Response:
        storage = storage_get(storage_id=storage_id)
        data = validate_or_400(EmptyInputSerializer, request.data)
        storage, transfers = storage_empty(storage=storage, waste_types=data.get("types"))
        body = {"storage": storage_get(storage_id=storage.pk), "transfers": transfers}
        return Response(StorageEmptyOutputSerializer(body).data)
