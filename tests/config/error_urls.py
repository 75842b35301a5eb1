"""Views that fail on purpose, to test the project-wide exception handler."""

from django.db import OperationalError
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from config.exceptions import ConflictError, NotFoundError


class BrokenApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom: secret internals")


class MissingApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise NotFoundError("widget 7 not found")


class ConflictApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise ConflictError("widget is in use", widgets=[1, 2])


urlpatterns = [
    path("broken", BrokenApi.as_view()),
    path("missing", MissingApi.as_view()),
    path("conflict", ConflictApi.as_view()),
]


class DatabaseDownApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise OperationalError("connection to server at 127.0.0.1 failed")


urlpatterns.append(path("database-down", DatabaseDownApi.as_view()))
