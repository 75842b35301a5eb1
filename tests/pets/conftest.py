import pytest
from django.conf import settings
from rest_framework.test import APIClient


@pytest.fixture
def key_client(db) -> APIClient:
    """An API client sending the right X-API-KEY."""
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=settings.API_KEY)
    return client
