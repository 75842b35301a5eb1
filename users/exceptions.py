from rest_framework import status

from config.exceptions import DomainError


class UsernameTakenError(DomainError):
    """A user with that username (after NFKC normalization, ignoring case) already exists."""

    code = "username_taken"


class RefreshTokenInvalidError(DomainError):
    """The refresh token is malformed, expired, spent or of a revoked family."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
