"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS): every request carries a JWT and the API key."""

import os

import httpx
import schemathesis


@schemathesis.auth()
class JwtAndApiKey:
    """Obtains a real access token once per run from /auth/token and sends both credentials."""

    def get(self, case, ctx):
        base_url = os.environ["FUZZ_BASE_URL"]
        response = httpx.post(
            f"{base_url}/auth/token",
            json={"username": os.environ["FUZZ_USERNAME"], "password": os.environ["FUZZ_PASSWORD"]},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["access"]

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
        case.headers["X-API-KEY"] = os.environ["FUZZ_API_KEY"]
