"""Registration, JWT tokens (simplejwt, rotation + blacklist), logout and the current user."""

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from config.api import ERROR_401, ERROR_429, NO_CONTENT, error_response, validation_error_response
from config.parsers import JSONParser

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


class TokensOutputSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Short-lived JWT for `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="Single-use token for `POST /auth/token/refresh` and logout.")


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


class RegisterInputSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        try:
            password_validation.validate_password(attrs["password"], User(username=attrs["username"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from exc
        return attrs


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    date_joined = serializers.DateTimeField()


def user_register(*, username: str, password: str) -> AbstractBaseUser:
    if User.objects.filter(username__iexact=username).exists():
        raise serializers.ValidationError({"username": ["A user with that username already exists."]})
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise serializers.ValidationError({"username": ["A user with that username already exists."]}) from exc


class RegisterApi(APIView):
    parser_classes = [JSONParser]
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

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
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(TokenObtainPairView):
    parser_classes = [JSONParser]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Exchange username and password for an access and a refresh token",
        description="Logs in. Send the access token as `Authorization: Bearer <access>`; when it expires, exchange "
        "the refresh token at `POST /auth/token/refresh`. Throttled per client.",
        auth=[],
        request=TokenObtainPairSerializer,
        responses=TOKEN_RESPONSES,
        examples=[OpenApiExample("login", {"username": "demo", "password": "demo-password-123"}, request_only=True)],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class TokenRefreshApi(TokenRefreshView):
    parser_classes = [JSONParser]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for a new access and refresh token (the old refresh is blacklisted)",
        description="Rotation: each refresh token works once; the answer carries the next one.",
        auth=[],
        request=TokenRefreshSerializer,
        responses=TOKEN_RESPONSES,
        examples=[OpenApiExample("refresh", {"refresh": "eyJhbGciOiJIUzI1NiIs..."}, request_only=True)],
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


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
        data = LogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
            if str(token.get("user_id")) != str(request.user.pk):
                raise serializers.ValidationError({"refresh": ["This refresh token belongs to another user."]})
            token.blacklist()
        except TokenError as exc:
            raise serializers.ValidationError({"refresh": [str(exc)]}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="The current user",
        description="Who the Bearer token belongs to.",
        responses={
            200: OpenApiResponse(response=UserOutputSerializer, description="You.", examples=[USER_EXAMPLE]),
            401: ERROR_401,
        },
    )
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)
