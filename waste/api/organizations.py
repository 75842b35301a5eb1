"""Organizations: CRUD, generate, dispose, and the storages an organization can see."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import LimitOffsetPagination
from waste import selectors, services
from waste.api.schema import ERROR_400, ERROR_401, ORGANIZATION, SITE_1, STORAGE_2, TAG, TRANSFER, error_404
from waste.serializers import (
    DisposalOutSerializer,
    GenerateInSerializer,
    OrganizationInSerializer,
    OrganizationOutSerializer,
    OrganizationStorageOutSerializer,
    OrganizationUpdateInSerializer,
)

ORGANIZATION_IN = {"name": "ОО1", "waste": {"plastic": {"limit": 10}, "glass": {"limit": 50}, "bio": {"limit": 50}}}
DISPOSAL = {"transfers": [TRANSFER], "left": {"bio": 0, "glass": 0, "plastic": 0}}


def _organization_out(organization_id: int) -> dict:
    return OrganizationOutSerializer(selectors.organization_get(organization_id=organization_id)).data


class OrganizationListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=[TAG],
        summary="List organizations",
        responses={200: OrganizationOutSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("ОО1", ORGANIZATION, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(selectors.organization_list(), request)
        return paginator.get_paginated_response(OrganizationOutSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="Create an organization with the waste types it produces and their limits",
        request=OrganizationInSerializer,
        responses={201: OrganizationOutSerializer, 400: ERROR_400, 401: ERROR_401},
        examples=[
            OpenApiExample("ОО1", ORGANIZATION_IN, request_only=True),
            OpenApiExample("created", ORGANIZATION, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        data = OrganizationInSerializer.validate_or_400(request.data)
        organization = services.organization_create(name=data["name"], limits=OrganizationInSerializer.limits(data))
        return Response(_organization_out(organization.pk), status=status.HTTP_201_CREATED)


class OrganizationDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=[TAG],
        summary="An organization with its stock and limits",
        responses={200: OrganizationOutSerializer, 404: error_404("organization")},
        examples=[OpenApiExample("ОО1", ORGANIZATION, response_only=True)],
    )
    def get(self, request: Request, organization_id: int) -> Response:
        return Response(_organization_out(organization_id))

    @extend_schema(
        tags=[TAG],
        summary="Rename and/or replace the produced types (`waste` replaces the whole set; a limit never below stock)",
        request=OrganizationUpdateInSerializer,
        responses={200: OrganizationOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: error_404("organization")},
        examples=[OpenApiExample("raise a limit", {"waste": {"plastic": {"limit": 20}}}, request_only=True)],
    )
    def patch(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get(organization_id=organization_id)
        data = OrganizationUpdateInSerializer.validate_or_400(request.data)
        services.organization_update(
            organization=organization, name=data.get("name"), limits=OrganizationUpdateInSerializer.limits(data)
        )
        return Response(_organization_out(organization.pk))

    @extend_schema(
        tags=[TAG],
        summary="Delete an organization (its routes and distances go too; the transfer history stays)",
        responses={204: None, 401: ERROR_401, 404: error_404("organization")},
    )
    def delete(self, request: Request, organization_id: int) -> Response:
        services.organization_delete(organization=selectors.organization_get(organization_id=organization_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganizationGenerateApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=[TAG],
        summary="Generate waste (within the limits) and dispose it at once, nearest storage first",
        request=GenerateInSerializer,
        responses={200: DisposalOutSerializer, 400: ERROR_400, 401: ERROR_401, 404: error_404("organization")},
        examples=[
            OpenApiExample("plastic and glass", {"plastic": 10, "glass": 50}, request_only=True),
            OpenApiExample("disposed", DISPOSAL, response_only=True),
        ],
    )
    def post(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get(organization_id=organization_id)
        amounts = GenerateInSerializer.validate_or_400(request.data)
        result = services.organization_generate(organization=organization, amounts=amounts)
        return Response(DisposalOutSerializer(result).data)


class OrganizationDisposeApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=[TAG],
        summary="Dispose the organization's stock, nearest storage with room first, spilling over",
        request=None,
        responses={200: DisposalOutSerializer, 401: ERROR_401, 404: error_404("organization")},
        examples=[OpenApiExample("disposed", DISPOSAL, response_only=True)],
    )
    def post(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get(organization_id=organization_id)
        return Response(DisposalOutSerializer(services.organization_dispose(organization=organization)).data)


class OrganizationStoragesApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=[TAG],
        summary="Every storage with its distance, path and free room from this organization (nearest first)",
        responses={200: OrganizationStorageOutSerializer(many=True), 400: ERROR_400, 404: error_404("organization")},
        examples=[
            OpenApiExample(
                "МНО5 from ОО1",
                {
                    "storage": {"id": 5, "name": "МНО5"},
                    "distance_m": 100,
                    "path": [SITE_1["name"], STORAGE_2["name"], "МНО5"],
                    "room": {"glass": {"capacity": 220, "stored": 0, "free": 220}},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, organization_id: int) -> Response:
        organization = selectors.organization_get(organization_id=organization_id)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(selectors.organization_storages(organization=organization), request)
        names = selectors.storage_names(storage_ids=(sid for storage in page for sid in storage.path or ()))
        context = {"organization": organization, "names": names}
        return paginator.get_paginated_response(OrganizationStorageOutSerializer(page, many=True, context=context).data)
