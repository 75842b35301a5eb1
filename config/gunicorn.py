"""gunicorn settings shared by `make run` (Procfile) and docker compose."""

import os
import shutil
import tempfile

from gunicorn.asgi import protocol as asgi_protocol
from gunicorn.http import wsgi
from gunicorn.workers import gasgi

from config.slow_clients import HeaderTimeoutProtocol

port = os.environ.get("WEB_PORT", "8000")
# Loopback unless told otherwise: `make run` (DEBUG on) is not reachable from other hosts; docker compose and the
# Kubernetes manifests set WEB_HOST=0.0.0.0 inside their network.
bind = f"{os.environ.get('WEB_HOST', '127.0.0.1')}:{port}"
# One control socket per instance (gunicorn's default, ~/.gunicorn/gunicorn.ctl, is shared by every gunicorn
# of the user, so a second stack on the machine took over the first one's).
control_socket = os.environ.get(
    "GUNICORN_CONTROL_SOCKET",
    os.path.join(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir(), f"gunicorn-{port}.ctl"),
)
# Two serving setups (WEB_WORKER_CLASS), both safe against clients that send a request slowly:
# - "asgi" (the default; `make run`): gunicorn's asyncio ASGI worker. A connection costs a coroutine until its
#   whole request has arrived (Django's ASGI handler reads the body before the view runs), so clients that trickle
#   headers or a body never hold a thread; each request then runs its (sync) view in a thread of its own, with a
#   database connection from the worker's pool. Django's sync/async hand-offs cost about a millisecond a request.
# - "gthread" (docker compose, Kubernetes): WSGI worker threads with persistent connections, about twice the
#   requests per second of a cheap endpoint; only behind a proxy that buffers whole requests with read timeouts
#   (compose's nginx, the Ingress), since a thread reads its request itself.
worker_class = os.environ.get("WEB_WORKER_CLASS", "asgi")
if worker_class not in ("asgi", "gthread"):
    raise ValueError(f"WEB_WORKER_CLASS must be asgi or gthread, not {worker_class!r}")
wsgi_app = "config.asgi:application" if worker_class == "asgi" else "config.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))  # gthread only
worker_connections = int(os.environ.get("WEB_CONNECTIONS", "1000"))  # asgi only
if worker_class == "asgi":
    os.environ.setdefault("DATABASE_POOL_MAX_SIZE", os.environ.get("WEB_DB_POOL_SIZE", "8"))
# Request line and headers must arrive within WEB_HEADER_TIMEOUT seconds (the body has REQUEST_READ_TIMEOUT).
HeaderTimeoutProtocol.header_timeout = float(os.environ.get("WEB_HEADER_TIMEOUT", "10"))
gasgi.ASGIProtocol = HeaderTimeoutProtocol  # the protocol class the ASGI worker instantiates per connection
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))  # deals uploads of 1M rows take a while
graceful_timeout = 30
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
limit_request_line = 8190
# Request lines are logged by config.middleware.RequestLogMiddleware; gunicorn keeps its own errors only.
accesslog = None
errorlog = "-"


# gunicorn has no setting to leave out its `Server: gunicorn` header; announcing the server software only helps
# an attacker pick exploits, so the header is dropped from the ones gunicorn writes itself (both worker kinds).
_default_headers = wsgi.Response.default_headers


def _headers_without_server(self: wsgi.Response) -> list[str]:
    return [header for header in _default_headers(self) if not header.startswith("Server:")]


wsgi.Response.default_headers = _headers_without_server
asgi_protocol._CACHED_SERVER_HEADER = b""  # what the ASGI worker adds when the app sent no Server header


# Prometheus counters of every worker, summed by /metrics (config/metrics.py): one folder per gunicorn instance,
# set before the workers fork; a dead worker's live gauges are dropped.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gunicorn-metrics-")


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
