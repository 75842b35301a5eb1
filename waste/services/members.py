"""Organization members: users who may generate and dispose waste for it."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from config.api import truncated
from waste.exceptions import MemberExistsError, MemberNotFoundError, UserNotFoundError
from waste.models import Membership, Organization


def _user_by_username(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise UserNotFoundError(f"No user named {truncated(username)!r}.", field="username")
    return user


@transaction.atomic
def membership_add(*, organization: Organization, username: str) -> Membership:
    """Make the user a member (409 when already one)."""
    user = _user_by_username(username)
    try:
        with transaction.atomic():
            return Membership.objects.create(organization=organization, user=user)
    except IntegrityError as exc:  # the unique constraint decides, also between concurrent requests
        raise MemberExistsError(
            f"{user.get_username()!r} is already a member of organization {organization.pk}.", field="username"
        ) from exc


@transaction.atomic
def membership_remove(*, organization: Organization, username: str) -> None:
    deleted, _ = Membership.objects.filter(organization=organization, user__username=username).delete()
    if not deleted:
        raise MemberNotFoundError(f"{truncated(username)!r} is not a member of organization {organization.pk}.")
