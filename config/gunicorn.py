"""gunicorn settings shared by `make run` (Procfile) and docker compose."""

import os

bind = f"0.0.0.0:{os.environ.get('WEB_PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))  # deals uploads of 1M rows take a while
graceful_timeout = 30
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
limit_request_line = 8190
# Request lines are logged by config.middleware.RequestLogMiddleware; gunicorn keeps its own errors only.
accesslog = None
errorlog = "-"
