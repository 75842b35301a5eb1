"""Members of an organization (staff only): who may generate and dispose its waste."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    ERROR_401,
    NO_CONTENT,
    error_response,
    paginated_response,
    validate_or_400,
    validation_error_response,
)
from config.pagination import LimitOffsetPagination
from config.parsers import JSONParser
from waste.api.schema import ERROR_403_MEMBERS, MEMBER, TAG, error_404, page
from waste.permissions import IsStaff
from waste.selectors import membership_list, organization_get
from waste.serializers.inputs import MemberInputSerializer
from waste.serializers.outputs import MemberOutputSerializer
from waste.services.members import membership_add, membership_remove

STAFF_ERRORS = {401: ERROR_401, 403: ERROR_403_MEMBERS, 404: error_404("organization")}


class OrganizationMemberListApi(APIView):
    permission_classes = [IsStaff]
    parser_classes = [JSONParser]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=[TAG],
        summary="Members of an organization (staff)",
        description="Users who may generate and dispose waste for this organization, oldest first. Staff only.",
        responses={200: MemberOutputSerializer(many=True), **STAFF_ERRORS},
        examples=[OpenApiExample("demo", page(MEMBER), response_only=True)],
    )
    def get(self, request: Request, organization_id: int) -> Response:
        organization = organization_get(organization_id=organization_id)
        return paginated_response(request, membership_list(organization=organization), MemberOutputSerializer)

    @extend_schema(
        tags=[TAG],
        summary="Add a member (staff)",
        description="Lets an existing user generate and dispose waste for this organization. Staff only; an "
        "unknown username is a 400, an existing member a 409.",
        request=MemberInputSerializer,
        responses={
            201: MemberOutputSerializer,
            400: validation_error_response(
                ("unknown user", {"detail": "No user named 'nobody'.", "code": "user_not_found", "field": "username"})
            ),
            **STAFF_ERRORS,
            409: error_response(
                "Already a member.",
                (
                    "member",
                    {"detail": "'demo' is already a member of organization 1.", "code": "member_exists"},
                ),
            ),
        },
        examples=[
            OpenApiExample("demo", {"username": "demo"}, request_only=True),
            OpenApiExample("added", MEMBER, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request, organization_id: int) -> Response:
        organization = organization_get(organization_id=organization_id)
        data = validate_or_400(MemberInputSerializer, request.data)
        membership = membership_add(organization=organization, username=data["username"])
        return Response(MemberOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


class OrganizationMemberDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        tags=[TAG],
        summary="Remove a member (staff)",
        description="The user may no longer generate or dispose waste for this organization. Staff only.",
        responses={
            204: NO_CONTENT,
            **STAFF_ERRORS,
            404: error_response(
                "No such organization, or the user is not a member.",
                ("not a member", {"detail": "'demo' is not a member of organization 1.", "code": "member_not_found"}),
                ("no organization", {"detail": "Organization 42 not found.", "code": "organization_not_found"}),
            ),
        },
    )
    def delete(self, request: Request, organization_id: int, username: str) -> Response:
        membership_remove(organization=organization_get(organization_id=organization_id), username=username)
        return Response(status=status.HTTP_204_NO_CONTENT)
