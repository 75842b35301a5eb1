import pytest
from rest_framework.test import APIClient


@pytest.fixture
def forced_client(user) -> APIClient:
    """Authenticated without the JWT user lookup, so query counts show only the endpoint's own queries."""
    client = APIClient()
    client.force_authenticate(user=user)
    client.user = user
    return client
