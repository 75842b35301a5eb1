"""The metrics ports of the processes without a web server: the gRPC sidecar and the outbox relay.

Each serves Prometheus text on its own port (SIDECAR_METRICS_PORT, RELAY_METRICS_PORT; 0 turns it off) on
METRICS_HOST (loopback by default; 0.0.0.0 in containers, for the scraper).
"""

import logging

from django.conf import settings
from prometheus_client import Counter, Histogram, start_http_server

logger = logging.getLogger(__name__)

GRPC_HANDLED = Counter("grpc_server_handled_total", "gRPC calls answered.", ["method", "code"])
GRPC_LATENCY = Histogram(
    "grpc_server_handling_seconds",
    "Time to answer a gRPC call.",
    ["method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
EVENTS_CONSUMED = Counter(
    "book_events_consumed_total", "Book events taken from the queue, by outcome.", ["outcome"]
)  # handled, duplicate, dead_lettered
RELAY_PUBLISHED = Counter("relay_events_published_total", "Outbox rows published and confirmed.")
RELAY_FAILURES = Counter("relay_publish_failures_total", "Batches cut short by a broker error.")
RELAY_BATCH = Histogram(
    "relay_batch_size", "Rows published per relay batch.", buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000)
)


def serve_metrics(port: int, *, process: str) -> None:
    """Start the metrics HTTP server of this process in a daemon thread (nothing when `port` is 0)."""
    if not port:
        return
    start_http_server(port, addr=settings.METRICS_HOST)
    logger.info("%s: metrics on %s:%d", process, settings.METRICS_HOST, port)
