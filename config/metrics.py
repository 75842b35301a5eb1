"""`/metrics` in the Prometheus text format: requests by route and status, and what the database says.

Request counters and latency histograms are kept per process; under gunicorn `config/gunicorn.py` points
`PROMETHEUS_MULTIPROC_DIR` at a folder of its own, so a scrape sums every worker. Business figures (the outbox
backlog and the age of its oldest row, deals uploads by status, waste transfers) are read from PostgreSQL at
scrape time, so they are the same whichever worker or instance answers.
"""

import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

REQUESTS = Counter("http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class MetricsMiddleware:
    """Counts every request under its route pattern (`books/<int:book_id>`), never its raw path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "unmatched"
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        return response


class DatabaseCollector(Collector):
    def collect(self) -> Iterator:
        from books.models import OutboxEvent
        from deals.models import DealsUpload
        from waste.models import Transfer

        backlog = OutboxEvent.objects.filter(published_at__isnull=True).aggregate(rows=Count("id"), oldest=Min("id"))
        oldest_age = 0.0
        if backlog["oldest"] is not None:
            occurred = OutboxEvent.objects.filter(pk=backlog["oldest"]).values_list("occurred_at", flat=True).first()
            oldest_age = (timezone.now() - occurred).total_seconds() if occurred else 0.0
        yield GaugeMetricFamily("outbox_unpublished_events", "Book events not yet published.", value=backlog["rows"])
        yield GaugeMetricFamily(
            "outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished book event.", value=oldest_age
        )
        uploads = CounterMetricFamily("deals_uploads", "deals.csv uploads by outcome.", labels=["status"])
        for row in DealsUpload.objects.values("status").annotate(count=Count("id")).order_by("status"):
            uploads.add_metric([row["status"]], row["count"])
        yield uploads
        yield CounterMetricFamily("waste_transfers", "Waste transfers to storages.", value=Transfer.objects.count())


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Public when METRICS_PUBLIC is on; otherwise it needs `Authorization: Bearer <METRICS_TOKEN>`."""
    if not settings.METRICS_PUBLIC:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not settings.METRICS_TOKEN or not hmac.compare_digest(sent, settings.METRICS_TOKEN):
            return HttpResponse(
                '{"detail": "Metrics need the METRICS_TOKEN bearer token.", "code": "not_authenticated"}',
                status=401,
                content_type="application/json",
            )
    registry = _registry()
    body = generate_latest(registry) + generate_latest(DATABASE_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


DATABASE_REGISTRY = CollectorRegistry(auto_describe=False)
DATABASE_REGISTRY.register(DatabaseCollector())
