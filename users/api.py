"""Account endpoints: registration, JWT tokens (simplejwt, single-use rotation, family revocation), logout, me."""

from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.views import TokenObtainPairView

from config.api import ERROR_401, ERROR_429, NO_CONTENT, error_response, validate_or_400, validation_error_response
from config.parsers import JSONParser
from users.exceptions import RefreshTokenInvalidError, UsernameTakenError
from users.serializers import (
    LogoutInputSerializer,
    MeOutputSerializer,
    RegisterInputSerializer,
    TokenRefreshInputSerializer,
    TokensOutputSerializer,
    UserOutputSerializer,
)
from users.services import refresh_token_issue, refresh_token_revoke, tokens_refresh, user_register

User = get_user_model()

TOKENS_EXAMPLE = {"access": "eyJhbGciOiJIUzI1NiIs...", "refresh": "eyJhbGciOiJIUzI1NiIs..."}
ERROR_400 = validation_error_response(
    ("missing field", {"password": ["This field is required."]}),
)
CREDENTIALS_401 = error_response(
    "Wrong username or password, or an invalid, expired or already used refresh token.",
    ("bad credentials", {"detail": "No active account found with the given credentials", "code": "no_active_account"}),
    ("bad refresh", {"detail": "Token is invalid or expired", "code": "token_not_valid"}),
)


TOKEN_RESPONSES = {
    200: OpenApiResponse(
        response=TokensOutputSerializer,
        description="A new access and refresh token.",
        examples=[OpenApiExample("tokens", TOKENS_EXAMPLE, response_only=True)],
    ),
    400: ERROR_400,
    401: CREDENTIALS_401,
    429: ERROR_429,
}
USER_EXAMPLE = OpenApiExample(
    "user", {"id": 7, "username": "reader", "date_joined": "2026-01-15T09:30:00Z"}, response_only=True
)


class AuthRateThrottle(AnonRateThrottle):
    """Per-IP limit for the credential endpoints; the rate is read from settings on every request."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.AUTH_THROTTLE_RATE

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class CredentialApi(APIView):
    """The endpoints that take credentials instead of a token: open to anyone, JSON only, throttled per client."""

    parser_classes = [JSONParser]
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]


class RegisterApi(CredentialApi):
    @extend_schema(
        tags=["auth"],
        summary="Create a user",
        description="Registers a user; then `POST /auth/token` with the same username and password. Usernames are "
        "unique regardless of case; the password must pass Django's password validators. Throttled per client.",
        auth=[],
        request=RegisterInputSerializer,
        responses={
            201: OpenApiResponse(response=UserOutputSerializer, description="The new user.", examples=[USER_EXAMPLE]),
            400: validation_error_response(
                ("taken", {"username": ["A user with that username already exists."]}),
                ("weak password", {"password": ["This password is too common."]}),
            ),
            429: ERROR_429,
        },
        examples=[OpenApiExample("new user", {"username": "reader", "password": "s3cret-pass-42"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = validate_or_400(RegisterInputSerializer, request.data)
        try:
            user = user_register(**data)
        except UsernameTakenError as exc:
            raise serializers.ValidationError({"username": [exc.message]}) from exc
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginInputSerializer(TokenObtainPairSerializer):
    """simplejwt's username/password check; the refresh token it answers starts a new token family."""

    @classmethod
    def get_token(cls, user):
        return refresh_token_issue(user=user)


class TokenApi(TokenObtainPairView):
    parser_classes = [JSONParser]
    throttle_classes = [AuthRateThrottle]
    serializer_class = LoginInputSerializer

    @extend_schema(
        tags=["auth"],
        summary="Exchange username and password for an access and a refresh token",
        description="Logs in. Send the access token as `Authorization: Bearer <access>`; when it expires, exchange "
        "the refresh token at `POST /auth/token/refresh`. Throttled per client.",
        auth=[],
        request=LoginInputSerializer,
        responses=TOKEN_RESPONSES,
        examples=[OpenApiExample("login", {"username": "demo", "password": "demo-password-123"}, request_only=True)],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class TokenRefreshApi(CredentialApi):
    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for a new access and refresh token (the old refresh is blacklisted)",
        description="Rotation: each refresh token works once, and of concurrent requests with one token exactly one "
        "succeeds; the answer carries the next one. A refresh token used a second time is taken as stolen: the "
        "whole login is revoked, its latest refresh token included (log in again).",
        auth=[],
        request=TokenRefreshInputSerializer,
        responses=TOKEN_RESPONSES,
        examples=[OpenApiExample("refresh", {"refresh": "eyJhbGciOiJIUzI1NiIs..."}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = validate_or_400(TokenRefreshInputSerializer, request.data)
        return Response(tokens_refresh(refresh=data["refresh"]))


class LogoutApi(APIView):
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Blacklist a refresh token",
        description="Logs out: the given refresh token (yours) stops working. Access tokens already issued stay "
        "valid until they expire.",
        request=LogoutInputSerializer,
        responses={
            204: NO_CONTENT,
            400: validation_error_response(
                ("spent", {"refresh": ["Token is blacklisted"]}),
                ("not yours", {"refresh": ["This refresh token belongs to another user."]}),
            ),
            401: ERROR_401,
        },
        examples=[OpenApiExample("logout", {"refresh": "eyJhbGciOiJIUzI1NiIs..."}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = validate_or_400(LogoutInputSerializer, request.data)
        try:
            refresh_token_revoke(refresh=data["refresh"], user=request.user)
        except RefreshTokenInvalidError as exc:
            raise serializers.ValidationError({"refresh": [exc.message]}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="The current user",
        description="Who the Bearer token belongs to, and whether they are staff (`is_staff`: may change the "
        "waste network and its members).",
        responses={
            200: OpenApiResponse(
                response=MeOutputSerializer,
                description="You.",
                examples=[
                    OpenApiExample(
                        "me",
                        {"id": 7, "username": "reader", "date_joined": "2026-01-15T09:30:00Z", "is_staff": False},
                        response_only=True,
                    )
                ],
            ),
            401: ERROR_401,
        },
    )
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)
