"""Authentication of the books endpoints: the project's JWT, without a user query on reads."""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password


@functools.cache
def _user_row_sql() -> tuple[str, list[str]]:
    """The writer's row as one SQL statement built once per process (building `objects.get()` cost as much as
    running it), with the attribute names of its columns."""
    model, quote = get_user_model(), connection.ops.quote_name
    fields = model._meta.concrete_fields
    key = model._meta.get_field(api_settings.USER_ID_FIELD).column
    columns = ", ".join(quote(field.column) for field in fields)
    return f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {quote(key)} = %s", [f.attname for f in fields]


class JWTReadAuthentication(JWTAuthentication):
    """The same Bearer JWT as everywhere. A read (GET/HEAD/OPTIONS) only needs the caller's id, so it takes a
    stateless user from the signed token's claims instead of loading the user row (one query less per read);
    a write loads and checks the user as usual.

    Trade-off: a user deleted or deactivated keeps read access until their access token expires
    (JWT_ACCESS_MINUTES, 15 by default) - the same window as any other stateless access-token check.
    """

    def authenticate(self, request: Request):
        if request.method in SAFE_METHODS:
            return JWTStatelessUserAuthentication().authenticate(request)
        return super().authenticate(request)

    def get_user(self, validated_token: Token):
        """simplejwt's `get_user` with the same answers (unknown user, inactive user, changed password), the row
        read by one statement built once per process."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        sql, names = _user_row_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        user = self.user_model.from_db(connection.alias, names, list(row))
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


class JWTReadScheme(SimpleJWTScheme):
    """Swagger: the project's `jwtAuth` Bearer scheme. It is defined once, by the JWTAuthentication views, so this
    extension only refers to it (registering it again under the subclass would be a conflicting duplicate)."""

    target_class = JWTReadAuthentication
    name: list[str] = []

    def get_security_requirement(self, auto_schema) -> dict:
        return {SimpleJWTScheme.name: []}
