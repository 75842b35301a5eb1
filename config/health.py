"""Liveness (`/health`) and readiness (`/ready`, async: the three dependencies are checked concurrently)."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import psycopg
import redis.asyncio as aioredis
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

# The first bytes of an AMQP 0-9-1 handshake; a live broker answers with a Connection.Start method frame.
AMQP_PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
AMQP_METHOD_FRAME = 1


async def check_postgres() -> None:
    db = connections["default"].settings_dict
    params = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"]}
    params = {key: value for key, value in params.items() if value}
    if db.get("PORT"):
        params["port"] = str(db["PORT"])
    timeout = max(1, int(settings.READY_CHECK_TIMEOUT))
    connection = await psycopg.AsyncConnection.connect(**params, connect_timeout=timeout)
    try:
        await connection.execute("SELECT 1")
    finally:
        await connection.close()


async def check_redis() -> None:
    client = aioredis.from_url(settings.REDIS_URL, socket_connect_timeout=settings.READY_CHECK_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def check_rabbitmq() -> None:
    url = urlsplit(settings.AMQP_URL)
    reader, writer = await asyncio.open_connection(url.hostname or "127.0.0.1", url.port or 5672)
    try:
        writer.write(AMQP_PROTOCOL_HEADER)
        await writer.drain()
        frame_type = await reader.readexactly(1)
        if frame_type[0] != AMQP_METHOD_FRAME:
            raise ConnectionError(f"unexpected AMQP frame type {frame_type[0]}")
    finally:
        writer.close()


CHECKS: dict[str, Callable[[], Awaitable[None]]] = {
    "postgres": check_postgres,
    "redis": check_redis,
    "rabbitmq": check_rabbitmq,
}


async def run_check(check: Callable[[], Awaitable[None]]) -> dict:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout=settings.READY_CHECK_TIMEOUT)
    except TimeoutError:
        status, error = "down", f"timed out after {settings.READY_CHECK_TIMEOUT}s"
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency means "down"
        # The answer is public: it says that the component is down, not where it lives (hosts, ports, users);
        # the details go to the log.
        logger.warning("ready: %s is down: %s: %s", check.__name__.removeprefix("check_"), type(exc).__name__, exc)
        status, error = "down", "unreachable"
    else:
        status, error = "up", None
    result = {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    if error:
        result["error"] = error[:200]
    return result


ComponentSerializer = inline_serializer(
    "ReadinessComponent",
    {
        "status": serializers.ChoiceField(choices=["up", "down"]),
        "latency_ms": serializers.FloatField(),
        "error": serializers.CharField(required=False),
    },
)
ReadinessSerializer = inline_serializer(
    "Readiness",
    {
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "failed": serializers.ListField(child=serializers.CharField(), required=False),
        "components": serializers.DictField(child=ComponentSerializer),
    },
)
READY_EXAMPLE = {
    "status": "ok",
    "components": {
        "postgres": {"status": "up", "latency_ms": 3.1},
        "redis": {"status": "up", "latency_ms": 0.8},
        "rabbitmq": {"status": "up", "latency_ms": 1.2},
    },
}


async def ready(request: HttpRequest) -> JsonResponse:
    results = await asyncio.gather(*(run_check(check) for check in CHECKS.values()))
    components = dict(zip(CHECKS, results, strict=True))
    failed = [name for name, result in components.items() if result["status"] != "up"]
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed, "components": components}, status=503)
    return JsonResponse({"status": "ok", "components": components})


class HealthApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        tags=["health"],
        summary="Liveness: the process answers; touches no dependency",
        description="For liveness probes: 200 whenever the process serves requests. It never fails on a dependency "
        "(that is `/ready`), so it documents no error answer.",
        auth=[],
        responses={
            200: OpenApiResponse(
                inline_serializer("Liveness", {"status": serializers.CharField()}),
                examples=[OpenApiExample("ok", {"status": "ok"})],
            )
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadySchemaApi(APIView):
    """Documents the async `ready` view, which DRF cannot serve; added to the schema by `schema_endpoints`."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        tags=["health"],
        summary="Readiness: PostgreSQL, Redis and RabbitMQ checked concurrently",
        auth=[],
        responses={
            200: OpenApiResponse(ReadinessSerializer, examples=[OpenApiExample("all up", READY_EXAMPLE)]),
            503: OpenApiResponse(
                ReadinessSerializer,
                description="At least one component is down; `failed` names it.",
                examples=[
                    OpenApiExample(
                        "redis down",
                        {
                            "status": "unavailable",
                            "failed": ["redis"],
                            "components": {
                                **READY_EXAMPLE["components"],
                                "redis": {"status": "down", "latency_ms": 2.0, "error": "unreachable"},
                            },
                        },
                    )
                ],
            ),
        },
    )
    def get(self, request: Request) -> Response:  # pragma: no cover - never routed
        raise NotImplementedError


def schema_endpoints(endpoints: list) -> list:
    """drf-spectacular preprocessing hook: list the plain async `/ready` view in the OpenAPI document."""
    return [*endpoints, ("/ready", "^ready$", "GET", ReadySchemaApi.as_view())]
