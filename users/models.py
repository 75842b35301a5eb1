"""Refresh-token families: every refresh token descends from one login, and a family can be revoked at once."""

import uuid

from django.conf import settings
from django.db import models


class RefreshTokenFamily(models.Model):
    """One login's chain of rotated refresh tokens (their `fam` claim). Reusing a spent token revokes the family,
    so the thief's and the owner's current refresh tokens stop working together (OAuth 2.1 refresh rotation)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="token_families")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "refresh token families"

    def __str__(self) -> str:
        return f"{self.user_id} {self.pk}{' (revoked)' if self.revoked_at else ''}"
