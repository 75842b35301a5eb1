"""`python -m grpc_service`: the gRPC server on GRPC_PORT plus the book-event consumer thread."""

import logging
import os
import signal
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.conf import settings  # noqa: E402

from config.metrics_server import serve_metrics  # noqa: E402
from grpc_service.consumer import EventConsumer  # noqa: E402
from grpc_service.server import build_server  # noqa: E402

logger = logging.getLogger("grpc_service")
SHUTDOWN_GRACE_SECONDS = 10


def main() -> None:
    server, port, health = build_server(port=settings.GRPC_PORT)
    consumer = EventConsumer()
    stop = threading.Event()

    def request_stop(signum: int, frame) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server.start()
    serve_metrics(settings.SIDECAR_METRICS_PORT, process="grpc")
    consumer_thread = consumer.start_thread()
    logger.info("grpc: serving books.v1.BookService on port %d", port)
    stop.wait()
    logger.info("grpc: stopping (grace %ds)", SHUTDOWN_GRACE_SECONDS)
    health.enter_graceful_shutdown()  # health checks answer NOT_SERVING from now on
    consumer.stop()
    # In-flight RPCs may finish; new ones are refused.
    server.stop(grace=SHUTDOWN_GRACE_SECONDS).wait()
    consumer_thread.join(timeout=SHUTDOWN_GRACE_SECONDS)
    logger.info("grpc: stopped")


if __name__ == "__main__":
    main()
