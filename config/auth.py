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
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

User = get_user_model()

ERROR_400 = OpenApiResponse(description='Validation error: `{"field": ["message"]}`')
ERROR_401 = OpenApiResponse(description='Missing, invalid or expired credentials: `{"detail": "..."}`')
ERROR_429 = OpenApiResponse(description='Too many requests from this IP: `{"detail": "..."}`')


TOKEN_RESPONSES = {
    200: OpenApiResponse(examples=[OpenApiExample("tokens", {"access": "eyJhbGciOi...", "refresh": "eyJhbGciOi..."})]),
    400: ERROR_400,
    401: ERROR_401,
    429: ERROR_429,
}


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
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Create a user",
        auth=[],
        request=RegisterInputSerializer,
        responses={201: UserOutputSerializer, 400: ERROR_400, 429: ERROR_429},
        examples=[OpenApiExample("new user", {"username": "reader", "password": "s3cret-pass-42"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(TokenObtainPairView):
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Exchange username and password for an access and a refresh token",
        auth=[],
        responses=TOKEN_RESPONSES,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class TokenRefreshApi(TokenRefreshView):
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for a new access and refresh token (the old refresh is blacklisted)",
        auth=[],
        responses=TOKEN_RESPONSES,
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return super().post(request, *args, **kwargs)


class LogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Blacklist a refresh token",
        request=LogoutInputSerializer,
        responses={204: None, 400: ERROR_400, 401: ERROR_401},
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

    @extend_schema(tags=["auth"], summary="The current user", responses={200: UserOutputSerializer, 401: ERROR_401})
    def get(self, request: Request) -> Response:
        return Response(UserOutputSerializer(request.user).data)
