"""Bench: book events end to end, and gRPC reads against their REST equivalents.

Starts the real processes of `make run` on free ports against a separate database (`bench_events`) and
bench-only broker names: gunicorn (web), `manage.py relay_events` (relay) and `python -m grpc_service`
(gRPC + consumer). Then:
  1. N REST `POST /books` from C client threads; per book, the time from sending the request to the moment
     the consumer's `event consumed` line appears on the sidecar's stdout (end-to-end latency);
  2. gRPC GetBook / ListBooks(page_size=20) against REST `GET /books/{id}` / `GET /books?limit=20`, calls per
     second with C client threads.

    .venv/bin/python bench/events.py [--creates 1000] [--reads 2000] [--concurrency 8]
"""

import argparse
import logging
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import httpx
import pika

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
CONSUMED = re.compile(r"event consumed event_id=\S+ type=book\.created book_id=(\d+) ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Process:
    """A child process whose stdout lines are timestamped as they arrive."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], on_line: Callable[[str, float], None]) -> None:
        self.name = name
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.on_line = on_line
        self.tail: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            now = time.monotonic()
            self.tail = [*self.tail[-20:], line.rstrip()]
            self.on_line(line, now)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def run_calls(call: Callable[[int], None], count: int, concurrency: int) -> tuple[float, list[float]]:
    """(calls per second, per-call latencies in ms) of `count` calls from `concurrency` threads."""
    latencies: list[float] = []

    def one(index: int) -> None:
        started = time.perf_counter()
        call(index)
        latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return count / (time.perf_counter() - started), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    suffix = uuid.uuid4().hex[:8]
    web_port, grpc_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "API_KEY": "bench-api-key",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_events"),
        "CACHE_KEY_PREFIX": f"bench-{suffix}",
        "AUTH_THROTTLE_RATE": "100000/min",
        "BOOK_EVENTS_EXCHANGE": f"bench.books.events.{suffix}",
        "BOOK_EVENTS_QUEUE": f"bench.grpc_service.book_events.{suffix}",
        "WEB_PORT": str(web_port),
        "GRPC_PORT": str(grpc_port),
        "GRPC_AUTH": "none",  # measured without the JWT check; a run with it on is still to be added
        "WEB_CONCURRENCY": "4",
    }
    for command in (["ensure_database"], ["migrate", "--no-input", "-v", "0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    import django

    django.setup()
    for noisy in ("pika", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken

    from books.models import Author, Book, OutboxEvent
    from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
    from grpc_service.models import ConsumedEvent

    Book.objects.all().delete()
    OutboxEvent.objects.all().delete()
    ConsumedEvent.objects.all().delete()
    user, _ = get_user_model().objects.get_or_create(username="bench")
    author = Author.objects.create(name="Bench Author")
    headers = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}

    consumed_at: dict[int, float] = {}
    consuming = threading.Event()

    def on_grpc_line(line: str, now: float) -> None:
        if match := CONSUMED.search(line):
            consumed_at[int(match.group(1))] = now
        elif "consumer: consuming" in line:
            consuming.set()

    processes = [
        Process("web", [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.asgi"], env, lambda *_: None),
        Process("relay", [PYTHON, "manage.py", "relay_events"], env, lambda *_: None),
        Process("grpc", [PYTHON, "-m", "grpc_service"], env, on_grpc_line),
    ]
    base_url = f"http://127.0.0.1:{web_port}"
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, headers=headers, timeout=30)
        return local.client

    try:
        wait_for(lambda: httpx.get(f"{base_url}/health", timeout=1).status_code == 200, "web")
        wait_for(consuming.is_set, "the consumer")
        channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = books_pb2_grpc.BookServiceStub(channel)

        # 1. events end to end
        sent_at: dict[int, float] = {}
        answered_at: dict[int, float] = {}  # the write has committed by then

        def create(index: int) -> None:
            started = time.monotonic()
            response = client().post(
                "/books",
                json={"title": f"Bench book {index}", "published_on": "2001-01-01", "author_ids": [author.pk]},
            )
            response.raise_for_status()
            book_id = response.json()["id"]
            sent_at[book_id], answered_at[book_id] = started, time.monotonic()

        first_sent = time.monotonic()
        create_rate, create_latencies = run_calls(create, args.creates, args.concurrency)
        wait_for(lambda: len(consumed_at) >= args.creates, "every event to be consumed", timeout=300)
        last_consumed = max(consumed_at.values())
        end_to_end = [(consumed_at[book_id] - sent) * 1000 for book_id, sent in sent_at.items()]
        after_commit = [(consumed_at[book_id] - answered) * 1000 for book_id, answered in answered_at.items()]

        # 2. reads
        ids = list(Book.objects.values_list("id", flat=True))
        rows = [
            ("REST POST /books (create)", create_rate, create_latencies),
            (
                "gRPC GetBook",
                *run_calls(
                    lambda _: stub.GetBook(books_pb2.GetBookRequest(id=random.choice(ids))),
                    args.reads,
                    args.concurrency,
                ),
            ),
            (
                "REST GET /books/{id}",
                *run_calls(
                    lambda _: client().get(f"/books/{random.choice(ids)}").raise_for_status(),
                    args.reads,
                    args.concurrency,
                ),
            ),
            (
                "gRPC ListBooks page_size=20",
                *run_calls(
                    lambda _: stub.ListBooks(books_pb2.ListBooksRequest(page_size=20)), args.reads, args.concurrency
                ),
            ),
            (
                "REST GET /books?limit=20",
                *run_calls(lambda _: client().get("/books?limit=20").raise_for_status(), args.reads, args.concurrency),
            ),
        ]
        channel.close()
    finally:
        for process in reversed(processes):
            process.stop()
        connection = pika.BlockingConnection(
            pika.URLParameters(env.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
        )
        broker = connection.channel()
        queue = env["BOOK_EVENTS_QUEUE"]
        for name in (queue, f"{queue}.dead"):
            broker.queue_delete(queue=name)
        for name in (env["BOOK_EVENTS_EXCHANGE"], f"{queue}.dlx"):
            broker.exchange_delete(exchange=name)
        connection.close()

    print(f"\nBook events: {args.creates} REST creates, {args.concurrency} client threads, gunicorn 4 ASGI workers")
    print(f"{'metric':<44}{'value':>12}")
    print(f"{'events consumed':<44}{len(consumed_at):>12}")
    print(f"{'first request → last event logged (s)':<44}{last_consumed - first_sent:>12.2f}")
    print(f"{'end-to-end throughput (events/s)':<44}{args.creates / (last_consumed - first_sent):>12.1f}")
    print(f"{'end-to-end latency p50 (ms)':<44}{statistics.median(end_to_end):>12.1f}")
    print(f"{'end-to-end latency p99 (ms)':<44}{percentile(end_to_end, 0.99):>12.1f}")
    print(f"{'end-to-end latency max (ms)':<44}{max(end_to_end):>12.1f}")
    print(f"{'HTTP response → event logged p50 (ms)':<44}{statistics.median(after_commit):>12.1f}")
    print(f"{'HTTP response → event logged p99 (ms)':<44}{percentile(after_commit, 0.99):>12.1f}")
    print(f"\nReads: {args.reads} calls each, {args.concurrency} client threads, {len(ids)} books")
    print(f"{'call':<32}{'calls/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, rate, latencies in rows:
        print(f"{name:<32}{rate:>10.0f}{statistics.median(latencies):>10.2f}{percentile(latencies, 0.99):>10.2f}")


if __name__ == "__main__":
    main()
