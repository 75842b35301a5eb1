"""Authentication of the books endpoints: the project's JWT, without a user query on reads."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication


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


class JWTReadScheme(SimpleJWTScheme):
    """Swagger: the project's `jwtAuth` Bearer scheme. It is defined once, by the JWTAuthentication views, so this
    extension only refers to it (registering it again under the subclass would be a conflicting duplicate)."""

    target_class = JWTReadAuthentication
    name: list[str] = []

    def get_security_requirement(self, auto_schema) -> dict:
        return {SimpleJWTScheme.name: []}
