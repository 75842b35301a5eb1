"""`X-API-KEY` authentication for /pets: the header must equal settings.API_KEY (constant-time compare)."""

import hmac

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

HEADER = "X-API-KEY"


class ApiKeyClient:
    """The caller of an API-key endpoint: authenticated, but not a user of the site."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None
    username = "api-key-client"

    def __str__(self) -> str:
        return self.username


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiKeyClient, None]:
        supplied = request.META.get("HTTP_X_API_KEY", "")
        if not supplied:
            raise AuthenticationFailed(f"Missing {HEADER} header.", code="api_key_missing")
        expected = settings.API_KEY
        # An empty API_KEY (allowed only with DEBUG on) accepts nothing.
        if not expected or not hmac.compare_digest(_bytes(supplied), _bytes(expected)):
            raise AuthenticationFailed(f"Invalid {HEADER} header.", code="api_key_invalid")
        return ApiKeyClient(), None

    def authenticate_header(self, request: Request) -> str:
        # A WWW-Authenticate value makes DRF answer 401 (not 403) when authentication fails.
        return f'ApiKey header="{HEADER}"'


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Swagger UI shows an "Authorize" field for the key."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "header", "name": HEADER, "description": "The API_KEY setting."}
