# One Dockerfile, one target per process: `web` (the default, also runs migrate), `grpc` and `relay`, each with its
# own command, health check and port; docker-compose.yml selects them with `build.target`.

# The web client (web/): built with Node, copied into the `web` image, served by Django at /app/.
FROM node:20-slim AS client
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build


FROM python:3.12-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt


FROM python:3.12-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

COPY --from=builder /build/requirements.txt /tmp/requirements.txt
COPY --from=builder /wheels /wheels
RUN python -m venv /opt/venv \
    && pip install --no-index --find-links=/wheels -r /tmp/requirements.txt \
    && rm -rf /wheels /tmp/requirements.txt

WORKDIR /app
COPY --chown=app:app . .
# Named volumes mounted here start with this ownership, so the non-root user can write media and static files.
RUN mkdir -p /app/media /app/staticfiles && chown app:app /app/media /app/staticfiles

USER 10001:10001


FROM runtime AS grpc
EXPOSE 50051
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "grpc_service.healthcheck"]
CMD ["python", "-m", "grpc_service"]


FROM runtime AS relay
# No port: the relay only connects out. Healthy while no event waits longer than RELAY_HEALTH_MAX_LAG_SECONDS.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "manage.py", "relay_healthcheck"]
CMD ["python", "manage.py", "relay_events"]


FROM runtime AS web
COPY --from=client --chown=app:app /web/dist /app/web/dist
# gzip copies next to the bundles, which whitenoise sends to clients that accept them.
RUN python -m whitenoise.compress --quiet /app/web/dist
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["gunicorn", "-c", "config/gunicorn.py"]
