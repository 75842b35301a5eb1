"""Who may change what: reads are public, the network is staff's, disposals are staff's and members'."""

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from waste.exceptions import OrganizationAccessDeniedError, StaffOnlyError
from waste.selectors import organization_get, organization_has_member


class IsStaffOrReadOnly(BasePermission):
    """Anyone reads; writes need a JWT (else 401) of a staff user (else 403 `staff_only`)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if not request.user.is_staff:
            raise StaffOnlyError("Only staff may change the waste network.")
        return True


class IsStaff(IsStaffOrReadOnly):
    """Reads and writes both need a staff user (organization members are the operator's business)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not request.user.is_staff:
            raise StaffOnlyError("Only staff may manage the members of an organization.")
        return True


class IsStaffOrMember(BasePermission):
    """Staff, or a member of the organization in the URL (else 403 naming it; 404 when it does not exist)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.user.is_staff:
            return True
        organization_id = view.kwargs["organization_id"]
        if organization_has_member(organization_id=organization_id, user=request.user):
            return True
        organization = organization_get(organization_id=organization_id)
        raise OrganizationAccessDeniedError(
            f"Only staff and members of organization {organization.name!r} ({organization.pk}) may generate or "
            "dispose its waste.",
            organization={"id": organization.pk, "name": organization.name},
        )


def check_disposer(request: Request, view: APIView) -> None:
    """The checks a disposal view leaves to its statement, made in full: the token's user is loaded (401 when
    deleted or inactive) and must be staff or a member of the organization (403 naming it; 404 when it does not
    exist). Returns when the user may dispose."""
    request.user = JWTAuthentication().get_user(request.auth)
    if not IsStaffOrMember().has_permission(request, view):
        view.permission_denied(request)
