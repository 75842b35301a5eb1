import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _worker_cache_prefix(settings, worker_id):
    """A cache key prefix per xdist worker: config.settings.test computes its prefix in the controller process,
    so all workers inherit the same one, and book ids repeat across the workers' databases."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-books-{worker_id}-{os.getpid()}"},
    }
    cache.delete_pattern("*")
    yield
    cache.delete_pattern("*")


@pytest.fixture
def forced_client(user) -> APIClient:
    """Authenticated without the JWT user lookup, so query counts show only the endpoint's own queries."""
    client = APIClient()
    client.force_authenticate(user=user)
    client.user = user
    return client
