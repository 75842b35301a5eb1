"""Organizations: CRUD (staff), their reachable storages (public), generate/dispose (staff or members)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

from config.api import ERROR_401, NO_CONTENT, paginated_response, validate_or_400
from config.pagination import LimitOffsetPagination
from config.parsers import JSONParser
from waste.api.schema import (
    DISPOSAL,
    ERROR_400,
    ERROR_400_GENERATE,
    ERROR_400_NAME,
    ERROR_403_MEMBER,
    ORGANIZATION,
    SITE_1,
    STAFF_WRITE_ERRORS,
    STORAGE_2,
    TAG,
    error_404,
    page,
)
from waste.exceptions import DisposerNotAllowedError
from waste.models import Organization
from waste.permissions import IsStaffOrReadOnly, check_disposer
from waste.selectors import (
    organization_get,
    organization_list,
    organization_ref,
    organization_storages,
    storage_names,
)
from waste.serializers.inputs import GenerateInputSerializer, NameFilterInputSerializer, OrganizationInputSerializer
from waste.serializers.outputs import (
    DisposalOutputSerializer,
    OrganizationOutputSerializer,
    OrganizationStorageOutputSerializer,
)
from waste.services import (
    organization_create,
    organization_delete,
    organization_dispose,
    organization_generate,
    organization_update,
)

ORGANIZATION_IN = {"name": "ОО1", "waste": {"plastic": {"limit": 10}, "glass": {"limit": 50}, "bio": {"limit": 50}}}
NAME_PARAMETER = OpenApiParameter("name", str, description="Only names containing this text (case-insensitive)")


def _organization_out(organization_id: int) -> dict:
    return OrganizationOutputSerializer(organization_get(organization_id=organization_id)).data


class OrganizationListApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=[TAG],
        summary="List organizations",
        description="Organizations in id order with stock and limit per produced type; public. "
        "`?name=` keeps those whose name contains the text (case-insensitive).",
        parameters=[NAME_PARAMETER],
        responses={200: OrganizationOutputSerializer(many=True), 400: ERROR_400},
        examples=[OpenApiExample("ОО1", page(ORGANIZATION), response_only=True)],
    )
    def get(self, request: Request) -> Response:
        filters = validate_or_400(NameFilterInputSerializer, request.query_params.dict())
        return paginated_response(request, organization_list(name=filters.get("name")), OrganizationOutputSerializer)

    @extend_schema(
        tags=[TAG],
        summary="Create an organization (staff)",
        description="Creates an organization with the waste types it produces and the most it may hold of each. "
        "Staff only. Unknown waste types are refused by name; amounts are JSON integers.",
        request=OrganizationInputSerializer,
        responses={201: OrganizationOutputSerializer, 400: ERROR_400_NAME, **STAFF_WRITE_ERRORS},
        examples=[
            OpenApiExample("ОО1", ORGANIZATION_IN, request_only=True),
            OpenApiExample("created", ORGANIZATION, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validate_or_400(OrganizationInputSerializer, request.data)
        organization = organization_create(name=data["name"], limits=OrganizationInputSerializer.amounts(data))
        return Response(_organization_out(organization.pk), status=status.HTTP_201_CREATED)


class OrganizationDetailApi(APIView):
    permission_classes = [IsStaffOrReadOnly]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="An organization",
        description="One organization with its stock and limit per produced type; public.",
        responses={200: OrganizationOutputSerializer, 404: error_404("organization")},
        examples=[OpenApiExample("ОО1", ORGANIZATION, response_only=True)],
    )
    def get(self, request: Request, organization_id: int) -> Response:
        return Response(_organization_out(organization_id))

    @extend_schema(
        tags=[TAG],
        summary="Rename and/or replace the produced types (staff)",
        description="Every key is optional. `waste` replaces the whole set of produced types; a limit never drops "
        "below the stock already held (400 `below_stored`). Staff only.",
        request=OrganizationInputSerializer,
        responses={
            200: OrganizationOutputSerializer,
            400: ERROR_400_NAME,
            **STAFF_WRITE_ERRORS,
            404: error_404("organization"),
        },
        examples=[
            OpenApiExample("raise a limit", {"waste": {"plastic": {"limit": 20}}}, request_only=True),
            OpenApiExample("updated", ORGANIZATION, response_only=True),
        ],
    )
    def patch(self, request: Request, organization_id: int) -> Response:
        organization = organization_get(organization_id=organization_id)
        data = validate_or_400(OrganizationInputSerializer, request.data, partial_update=True)
        organization_update(
            organization=organization, name=data.get("name"), limits=OrganizationInputSerializer.amounts(data)
        )
        return Response(_organization_out(organization.pk))

    @extend_schema(
        tags=[TAG],
        summary="Delete an organization (staff)",
        description="Deletes the organization with its routes, distances and members; its transfers stay in the "
        "history (with its name). Staff only.",
        responses={204: NO_CONTENT, **STAFF_WRITE_ERRORS, 404: error_404("organization")},
    )
    def delete(self, request: Request, organization_id: int) -> Response:
        organization_delete(organization=organization_get(organization_id=organization_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


DISPOSAL_ERRORS = {401: ERROR_401, 403: ERROR_403_MEMBER, 404: error_404("organization")}
# The JWT as every other write declares it: the token-only authenticator of the disposal views is the same scheme.
DISPOSAL_AUTH = [{"jwtAuth": []}]


def _by_id(organization_id: int) -> Organization:
    """The organization to dispose for, by id alone: the disposal's first statement locks it and answers 404 when
    it does not exist, so reading it beforehand would only cost a round trip."""
    return Organization(pk=organization_id)


class OrganizationGenerateApi(APIView):
    # The token is read without a query; the disposal statement checks its user itself (active, staff or a member)
    # before locking anything, so a request is that one statement. When it refuses, or the body is bad, the full
    # checks answer (401, 403, 404), as IsStaffOrMember after JWTAuthentication would.
    authentication_classes = [JWTStatelessUserAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="Generate waste and dispose it at once (staff or members)",
        description="Adds the amounts to the organization's stock (each within its limit, else 400 and nothing "
        "changes) and disposes all its stock: per type, the nearest reachable storage with room first (ties: "
        "name, then id), spilling over to the next. The answer lists each transfer (storage, type, amount, "
        "distance) and what is left waiting. Staff or members of the organization only.",
        request=GenerateInputSerializer,
        responses={200: DisposalOutputSerializer, 400: ERROR_400_GENERATE, **DISPOSAL_ERRORS},
        auth=DISPOSAL_AUTH,
        examples=[
            OpenApiExample("plastic and glass", {"plastic": 10, "glass": 50}, request_only=True),
            OpenApiExample("disposed", DISPOSAL, response_only=True),
        ],
    )
    def post(self, request: Request, organization_id: int) -> Response:
        try:
            amounts = validate_or_400(GenerateInputSerializer, request.data)
        except APIException:
            check_disposer(request, self)
            organization_ref(organization_id=organization_id)  # an unknown organization is a 404 before a bad body
            raise
        organization = _by_id(organization_id)
        try:
            result = organization_generate(organization=organization, amounts=amounts, user_id=request.user.id)
        except DisposerNotAllowedError:
            check_disposer(request, self)  # the reason, in words (or allowed by now: then go on, checked)
            result = organization_generate(organization=organization, amounts=amounts)
        return Response(DisposalOutputSerializer(result).data)


class OrganizationDisposeApi(APIView):
    authentication_classes = [JWTStatelessUserAuthentication]  # as OrganizationGenerateApi
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="Dispose the organization's stock (staff or members)",
        description="Disposes whatever the organization holds, nearest storage with room first, spilling over; no "
        "body. Staff or members of the organization only.",
        request=None,
        responses={200: DisposalOutputSerializer, **DISPOSAL_ERRORS},
        auth=DISPOSAL_AUTH,
        examples=[OpenApiExample("disposed", DISPOSAL, response_only=True)],
    )
    def post(self, request: Request, organization_id: int) -> Response:
        organization = _by_id(organization_id)
        try:
            result = organization_dispose(organization=organization, user_id=request.user.id)
        except DisposerNotAllowedError:
            check_disposer(request, self)
            result = organization_dispose(organization=organization)
        return Response(DisposalOutputSerializer(result).data)


class OrganizationStorageListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=[TAG],
        summary="Storages by distance from an organization",
        description="Every storage with its shortest directed distance from the organization, the path (site names "
        "and storage ids) and the free room per type: reachable ones nearest first, then the unreachable ones "
        "(`distance_m` and `path` null). Public.",
        responses={
            200: OrganizationStorageOutputSerializer(many=True),
            400: ERROR_400,
            404: error_404("organization"),
        },
        examples=[
            OpenApiExample(
                "МНО5 from ОО1",
                page(
                    {
                        "storage": {"id": 5, "name": "МНО5"},
                        "distance_m": 100,
                        "path": [SITE_1["name"], STORAGE_2["name"], "МНО5"],
                        "path_ids": [2, 5],
                        "room": {"glass": {"capacity": 220, "stored": 0, "free": 220}},
                    }
                ),
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, organization_id: int) -> Response:
        organization = organization_ref(organization_id=organization_id)
        paginator = LimitOffsetPagination()
        storages = paginator.paginate_queryset(organization_storages(organization=organization), request)
        names = storage_names(storage_ids=(sid for storage in storages for sid in storage.path or ()))
        context = {"organization": organization, "names": names}
        items = OrganizationStorageOutputSerializer(storages, many=True, context=context).data
        return Response({"count": paginator.count, "items": items})
