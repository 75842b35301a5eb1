"""Accounts: registration and the refresh-token lifecycle (single use, rotation, family revocation)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from users.exceptions import RefreshTokenInvalidError, UsernameTakenError
from users.models import RefreshTokenFamily

User = get_user_model()
FAMILY_CLAIM = "fam"
INVALID = "Token is invalid or expired"


def user_register(*, username: str, password: str) -> AbstractBaseUser:
    # Compared as stored: NFKC-normalized (what create_user does: `ＤＥＭＯ` becomes `DEMO`), case-insensitively.
    username = User.normalize_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTakenError("A user with that username already exists.")
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise UsernameTakenError("A user with that username already exists.") from exc


@transaction.atomic
def refresh_token_issue(*, user: AbstractBaseUser) -> RefreshToken:
    """A login: a refresh token that starts a new family."""
    family = RefreshTokenFamily.objects.create(user=user)
    token = RefreshToken.for_user(user)  # records the OutstandingToken
    token[FAMILY_CLAIM] = str(family.pk)
    OutstandingToken.objects.filter(jti=token[api_settings.JTI_CLAIM]).update(token=str(token))
    return token


def tokens_refresh(*, refresh: str) -> dict[str, str]:
    """Spend `refresh` exactly once and answer the next `{"access", "refresh"}`.

    The token's OutstandingToken row is locked while it is spent, so of concurrent requests with one token exactly
    one succeeds. A token presented again after it was spent is taken as stolen: its whole family is revoked (in
    its own transaction, which the error does not roll back), the latest refresh token of that login included.
    """
    token = _verified(refresh)
    outcome = _spend(token)
    if outcome == "reused":
        raise RefreshTokenInvalidError("Token is blacklisted; its login was revoked because it was used twice.")
    if outcome != "spent":
        raise RefreshTokenInvalidError(INVALID)
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token.outstand()
    return {"access": str(token.access_token), "refresh": str(token)}


def refresh_token_revoke(*, refresh: str, user: AbstractBaseUser) -> None:
    """Logout: the user's own refresh token stops working."""
    token = _verified(refresh)
    if str(token.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise RefreshTokenInvalidError("This refresh token belongs to another user.")
    try:
        token.check_blacklist()
    except TokenError as exc:
        raise RefreshTokenInvalidError(str(exc)) from exc
    token.blacklist()


def _verified(refresh: str) -> RefreshToken:
    try:
        token = RefreshToken(refresh, verify=False)
        token.get_token_backend().decode(refresh, verify=True)  # signature and expiry, not the blacklist
        token.verify_token_type()
    except (TokenError, TokenBackendError) as exc:
        raise RefreshTokenInvalidError(INVALID) from exc
    return token


@transaction.atomic
def _spend(token: RefreshToken) -> str:
    family_id = token.get(FAMILY_CLAIM)
    family = RefreshTokenFamily.objects.select_for_update().filter(pk=family_id).first() if family_id else None
    if family is not None and family.revoked_at is not None:
        return "revoked"
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token[api_settings.JTI_CLAIM]).first()
    if outstanding is None:
        return "unknown"
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        if family is not None:
            family.revoked_at = timezone.now()
            family.save(update_fields=["revoked_at"])
        return "reused"
    user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).first()
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        return "inactive"
    BlacklistedToken.objects.create(token=outstanding)
    return "spent"
