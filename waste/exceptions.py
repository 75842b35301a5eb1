"""Errors of the waste domain; config.exceptions maps them to HTTP once."""

from config.exceptions import ConflictError, DomainError, NotFoundError


class OrganizationNotFoundError(NotFoundError):
    """Organization not found."""

    code = "organization_not_found"


class StorageNotFoundError(NotFoundError):
    """Storage not found."""

    code = "storage_not_found"


class RouteNotFoundError(NotFoundError):
    """Route not found."""

    code = "route_not_found"


class WasteLimitExceededError(DomainError):
    """Generating this much would exceed the organization's limit."""

    code = "limit_exceeded"


class WasteTypeNotProducedError(DomainError):
    """The organization does not produce this waste type."""

    code = "type_not_produced"


class WasteTypeNotEquippedError(DomainError):
    """The storage is not equipped for this waste type."""

    code = "type_not_equipped"


class CapacityBelowStoredError(DomainError):
    """A capacity (or limit) cannot drop below what is already held."""

    code = "below_stored"


class RouteInvalidError(DomainError):
    """The route breaks a rule of the network."""

    code = "route_invalid"


class NameTakenError(DomainError):
    """The name is already used."""

    code = "name_taken"


class StaffOnlyError(DomainError):
    """Only staff may change the waste network."""

    status_code = 403
    code = "staff_only"


class OrganizationAccessDeniedError(DomainError):
    """Only staff and the organization's members may generate or dispose its waste."""

    status_code = 403
    code = "not_a_member"


class MemberNotFoundError(NotFoundError):
    """The user is not a member of the organization."""

    code = "member_not_found"


class MemberExistsError(ConflictError):
    """The user is already a member of the organization."""

    code = "member_exists"


class UserNotFoundError(DomainError):
    """No user has this username."""

    code = "user_not_found"


class NetworkImportInvalidError(DomainError):
    """The network file breaks a rule; the message names the entry and its index."""

    code = "import_invalid"


class NetworkImportConflictError(ConflictError):
    """Sites of the file already exist."""

    code = "names_taken"


class DisposerNotAllowedError(DomainError):
    """The acting user is not an active staff user or member of the organization, as the disposal statement saw.

    The API answers it with the full checks (401 for a deleted or inactive user, 403 `not_a_member`, 404), which
    name the reason; nothing was locked or written.
    """

    status_code = 403
    code = "not_a_member"
