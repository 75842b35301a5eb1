"""Bench: book events and the gRPC sidecar against their ceilings, each beside a baseline from the same run.

    .venv/bin/python bench/events.py [--events 20000] [--rounds 3] [--calls 2000] [--creates 800] [--reuse]

On its own database (`bench_events`: 10,000 books, 2,000 authors, seeded with COPY) and its own broker names:
  1. relay: draining N outbox rows (`Relay.drain`, batched confirms) against pika publishing the same N bodies
     with one confirm per message; rate = rows / (last published_at − first published_at);
  2. consumer: the sidecar (`python -m grpc_service`) handling an N-message backlog against a bare pika
     consume+ack loop over the same messages; rate from the first to the last handled event;
  3. gRPC: GetBook and ListBooks(page_size=20) of the sidecar with the JWT check on and off, against a bare
     grpcio server answering the same pre-serialized bytes; 4 client threads, interleaved rounds;
  4. REST create: `POST /books` from 8 client threads against a baseline view of this module that writes the
     same rows (book, author links, outbox row) with plain SQL in one transaction, in the same gunicorn;
  5. end to end at 200 writes/s: the HTTP answer of `POST /books` → the consumer's log line, p99.
Every goal line is a median of `--rounds` rounds.
"""

import argparse
import http.client
import json
import re
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench.common import (
    PYTHON,
    Goal,
    Process,
    child_env,
    create_database,
    django_app,
    free_port,
    percentile,
    print_goals,
    print_table,
    setup_django,
    wait_for,
    wait_for_http,
)

DB = "bench_events"
CONSUMED = re.compile(r"event consumed event_id=\S+ type=book\.created book_id=(\d+) ")
GRPC_CLIENT_THREADS = 4
REST_CLIENT_THREADS = 8
E2E_RATE = 200  # writes per second
AUTHOR_IDS = [1, 2]  # seeded authors every created book links
PARTS = ("relay", "consumer", "grpc", "rest", "e2e")


# --- the gunicorn app: the project plus the plain-SQL baseline ------------------------------------------------


def bench_app():
    """gunicorn entry point: the project's app with this module (and its baseline views) as the URLconf."""
    return django_app(__name__)


def baseline_create(request):
    """POST /bench/books: the rows `POST /books` writes (book, author links, outbox row), as plain SQL in one
    transaction; no authentication, validation, serializer or cache."""
    from django.db import connection, transaction
    from django.http import JsonResponse

    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO books_book (title, published_on, rating_sum, rating_count, created_at, updated_at)"
            " VALUES (%s, %s, 0, 0, now(), now()) RETURNING id",
            [body["title"], body["published_on"]],
        )
        book_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO books_book_authors (book_id, author_id) SELECT %s, unnest(%s::bigint[])",
            [book_id, body["author_ids"]],
        )
        payload = {"id": book_id, "title": body["title"], "published_on": body["published_on"]}
        cursor.execute(
            "INSERT INTO books_outboxevent (event_id, type, aggregate_id, payload, occurred_at, request_id)"
            " VALUES (%s, 'book.created', %s, %s, now(), '')",
            [uuid.uuid4(), book_id, json.dumps(payload)],
        )
        cursor.execute("SELECT pg_notify('books_outbox', '')")
    return JsonResponse(payload, status=201)


def _urlpatterns():
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    return [path("bench/books", csrf_exempt(baseline_create)), path("", include("config.urls"))]


def __getattr__(name: str):  # `urlpatterns` is built on first use, after django.setup()
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


# --- the bare grpcio server -----------------------------------------------------------------------------------


def serve_bare_grpc(port: int, answers_file: str) -> None:
    """A grpcio server answering GetBook and ListBooks with fixed pre-serialized bytes (4 worker threads more
    than the client uses, like the sidecar's pool)."""
    from concurrent import futures

    import grpc

    answers = {name: bytes.fromhex(hex_bytes) for name, hex_bytes in json.loads(open(answers_file).read()).items()}  # noqa: PTH123, SIM115

    def answer(name: str):
        return grpc.unary_unary_rpc_method_handler(lambda request, context: answers[name])

    handler = grpc.method_handlers_generic_handler(
        "books.v1.BookService", {"GetBook": answer("GetBook"), "ListBooks": answer("ListBooks")}
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), handlers=[handler])
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    print("bare grpc server ready", flush=True)
    server.wait_for_termination()


# --- helpers ----------------------------------------------------------------------------------------------------


def calls_per_second(call: Callable[[int], object], count: int, threads: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(call, range(count)))
    return count / (time.perf_counter() - started)


class Broker:
    """The bench's own exchange and queue (bound like the sidecar's), on one pika connection."""

    def __init__(self, amqp_url: str, exchange: str, queue: str) -> None:
        import pika

        from grpc_service.consumer import Topology

        self.topology = Topology(exchange=exchange, queue=queue)
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        self.channel = self.connection.channel()
        self.topology.declare(self.channel)

    def depth(self) -> int:
        return self.channel.queue_declare(queue=self.topology.queue, passive=True).method.message_count

    def purge(self) -> None:
        self.channel.queue_purge(self.topology.queue)

    def delete(self, *, exchanges: bool = True) -> None:
        for queue in (self.topology.queue, self.topology.dead_letter_queue):
            self.channel.queue_delete(queue=queue)
        self.channel.exchange_delete(exchange=self.topology.dead_letter_exchange)
        if exchanges:
            self.channel.exchange_delete(exchange=self.topology.exchange)
        self.connection.close()


def insert_outbox_rows(count: int) -> list[bytes]:
    """`count` unpublished book.created rows written with COPY; returns the message bodies the relay will send."""
    from django.db import connection, transaction
    from django.utils import timezone

    from books.events import envelope
    from books.models import OutboxEvent

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE books_outboxevent")
        with cursor.cursor.copy("COPY books_outboxevent (event_id, type, aggregate_id, payload, occurred_at,"
                                " request_id) FROM STDIN") as copy:  # fmt: skip
            now = timezone.now()
            for book_id in range(1, count + 1):
                payload = {"id": book_id, "title": f"Book {book_id:05d}", "author": "Bench Author", "authors": []}
                copy.write_row([uuid.uuid4(), "book.created", book_id, json.dumps(payload), now, ""])
    return [json.dumps(envelope(event)).encode() for event in OutboxEvent.objects.order_by("id").iterator()]


# --- 1. relay -----------------------------------------------------------------------------------------------------


def pika_confirm_per_message(amqp_url: str, broker: Broker, bodies: list[bytes]) -> float:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent)
    started = time.perf_counter()
    for body in bodies:
        channel.basic_publish(broker.topology.exchange, "book.created", body, properties)
    elapsed = time.perf_counter() - started
    connection.close()
    broker.purge()
    return len(bodies) / elapsed


def relay_drain_rate(amqp_url: str, broker: Broker, count: int) -> tuple[float, int]:
    """The relay's rate and how many messages it put on the queue beyond one per row (at least once allows some)."""
    from django.db.models import Max, Min

    from books.models import OutboxEvent
    from books.relay import Relay

    insert_outbox_rows(count)
    relay = Relay(amqp_url=amqp_url, exchange=broker.topology.exchange)
    relay.drain()
    relay.publisher.close()
    span = OutboxEvent.objects.aggregate(first=Min("published_at"), last=Max("published_at"))
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 0, "the relay left rows unpublished"
    queued = broker.depth()
    broker.purge()
    return count / (span["last"] - span["first"]).total_seconds(), queued - count


# --- 2. consumer ------------------------------------------------------------------------------------------------


def fill_queue(amqp_url: str, broker: Broker, bodies: list[bytes]) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent)
    for body in bodies:
        channel.basic_publish(broker.topology.exchange, "book.created", body, properties)
    connection.close()
    wait_for(lambda: broker.depth() == len(bodies), "the backlog to be queued")


def bare_consume_rate(amqp_url: str, broker: Broker, bodies: list[bytes], prefetch: int) -> float:
    import pika

    fill_queue(amqp_url, broker, bodies)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.basic_qos(prefetch_count=prefetch)
    seen: list[float] = []

    def on_message(channel, method, properties, body) -> None:
        seen.append(time.perf_counter())
        channel.basic_ack(delivery_tag=method.delivery_tag)
        if len(seen) == len(bodies):
            channel.stop_consuming()

    channel.basic_consume(broker.topology.queue, on_message)
    channel.start_consuming()
    connection.close()
    return (len(seen) - 1) / (seen[-1] - seen[0])


def sidecar_consume_rate(amqp_url: str, broker: Broker, bodies: list[bytes], env: dict[str, str]) -> float:
    from django.db.models import Max, Min

    from grpc_service.models import ConsumedEvent

    ConsumedEvent.objects.all().delete()
    fill_queue(amqp_url, broker, bodies)
    sidecar = Process([PYTHON, "-m", "grpc_service"], env | {"GRPC_PORT": str(free_port())}, name="sidecar")
    try:
        wait_for(lambda: ConsumedEvent.objects.count() == len(bodies), "the backlog to be consumed", timeout=600)
    finally:
        sidecar.stop()
    span = ConsumedEvent.objects.aggregate(first=Min("consumed_at"), last=Max("consumed_at"))
    return (len(bodies) - 1) / (span["last"] - span["first"]).total_seconds()


# --- 3. gRPC ----------------------------------------------------------------------------------------------------


def grpc_rates(amqp_url: str, env: dict[str, str], token: str, rounds: int, calls: int) -> list[Goal]:
    import grpc

    from books.models import Book
    from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc

    book_ids = list(Book.objects.values_list("id", flat=True)[:1000])
    ports = {"jwt": free_port(), "none": free_port(), "bare": free_port()}
    # Each on its own (idle) queue: these two only answer calls.
    queues = {mode: f"{env['BOOK_EVENTS_QUEUE']}.{mode}" for mode in ("jwt", "none")}
    sidecars = [
        Process(
            [PYTHON, "-m", "grpc_service"],
            env | {"GRPC_PORT": str(ports[mode]), "GRPC_AUTH": mode, "BOOK_EVENTS_QUEUE": queue},
            name=f"sidecar-{mode}",
        )
        for mode, queue in queues.items()
    ]
    metadata = [("authorization", f"Bearer {token}")]
    stubs = {}
    try:
        for mode in ("jwt", "none"):
            channel = grpc.insecure_channel(f"127.0.0.1:{ports[mode]}")
            grpc.channel_ready_future(channel).result(timeout=60)
            stubs[mode] = books_pb2_grpc.BookServiceStub(channel)
        answers = {
            "GetBook": stubs["jwt"].GetBook(books_pb2.GetBookRequest(id=book_ids[0]), metadata=metadata),
            "ListBooks": stubs["jwt"].ListBooks(books_pb2.ListBooksRequest(page_size=20), metadata=metadata),
        }
        answers_file = f"/tmp/bench-events-answers-{uuid.uuid4().hex}.json"  # noqa: S108 - the bench's own file
        with open(answers_file, "w") as file:  # noqa: PTH123
            json.dump({name: message.SerializeToString().hex() for name, message in answers.items()}, file)
        bare = Process([PYTHON, __file__, "--bare-grpc-server", str(ports["bare"]), answers_file], env, name="bare")
        sidecars.append(bare)
        channel = grpc.insecure_channel(f"127.0.0.1:{ports['bare']}")
        grpc.channel_ready_future(channel).result(timeout=60)
        stubs["bare"] = books_pb2_grpc.BookServiceStub(channel)

        requests = {
            "GetBook": lambda stub, i: stub.GetBook(
                books_pb2.GetBookRequest(id=book_ids[i % len(book_ids)]), metadata=metadata
            ),  # fmt: skip
            "ListBooks": lambda stub, i: stub.ListBooks(books_pb2.ListBooksRequest(page_size=20), metadata=metadata),
        }
        rates: dict[tuple[str, str], list[float]] = {}
        for round_ in range(rounds + 1):  # the first round warms up
            for method, request in requests.items():
                for mode in ("bare", "jwt", "none"):
                    rate = calls_per_second(lambda i, s=stubs[mode], r=request: r(s, i), calls, GRPC_CLIENT_THREADS)
                    if round_:
                        rates.setdefault((method, mode), []).append(rate)
    finally:
        for process in sidecars:
            process.stop()
        for queue in queues.values():
            Broker(amqp_url, env["BOOK_EVENTS_EXCHANGE"], queue).delete(exchanges=False)
    median = {key: statistics.median(values) for key, values in rates.items()}
    return [
        Goal(f"gRPC {method} JWT {mode}", median[(method, key)], median[(method, "bare")], target, "calls/s")
        for method, target in (("GetBook", 0.7), ("ListBooks", 0.4))
        for key, mode in (("jwt", "on"), ("none", "off"))
    ]


# --- 4. REST create and 5. end to end -------------------------------------------------------------------------


class HttpClient:
    """A keep-alive HTTP/1.1 client on the standard library: the load generator shares the two cores with the
    servers, and http.client spends a fraction of httpx's CPU per request, so it takes less from them."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        url = urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.headers = {**headers, "Content-Type": "application/json"}

    def post(self, path: str, body: dict) -> dict:
        """The JSON answer of a POST; anything but 2xx stops the bench."""
        self.connection.request("POST", path, body=json.dumps(body).encode(), headers=self.headers)
        response = self.connection.getresponse()
        content = response.read()
        if not 200 <= response.status < 300:
            raise RuntimeError(f"POST {path}: {response.status} {content[:300]!r}")
        return json.loads(content)


class Clients:
    """One keep-alive client per thread and web instance; call `index` goes to instance `index % len(bases)`."""

    def __init__(self, bases: list[str], headers: dict[str, str]) -> None:
        self.bases, self.headers, self.local = bases, headers, threading.local()

    def __call__(self, index: int) -> HttpClient:
        clients = self.local.__dict__.setdefault("clients", {})
        base = self.bases[index % len(self.bases)]
        if base not in clients:
            clients[base] = HttpClient(base, self.headers)
        return clients[base]


def rest_create_goal(clients: Clients, author_ids: list[int], rounds: int, creates: int) -> Goal:
    def create(path: str) -> Callable[[int], None]:
        def call(index: int) -> None:
            body = {"title": f"Created {index}", "published_on": "2001-01-01", "author_ids": author_ids}
            clients(index).post(path, body)

        return call

    rates: dict[str, list[float]] = {"/books": [], "/bench/books": []}
    for round_ in range(rounds + 1):
        for path in rates:
            rate = calls_per_second(create(path), creates, REST_CLIENT_THREADS)
            if round_:
                rates[path].append(rate)
    return Goal(
        f"REST POST /books, {REST_CLIENT_THREADS} clients",
        statistics.median(rates["/books"]),
        statistics.median(rates["/bench/books"]),
        0.5,
        "writes/s",
    )


class EndToEnd(NamedTuple):
    p50: float
    p99: float
    rate: float  # writes/s the clients achieved (the pace asked for is E2E_RATE)
    stages: list[list[str]]  # rows of the stage table


def end_to_end_p99(clients: Clients, author_ids: list[int], consumed_at: dict[int, datetime],
                   writes: int) -> EndToEnd:  # fmt: skip
    """p50 and p99 (ms) from a write's commit to its consumer log line, writes paced at E2E_RATE per second, and
    the same split by stage.

    Both ends are the servers' own clocks (the outbox row's `occurred_at`, stamped in the write's transaction, and
    the log line's timestamp), so the bench's client threads add nothing. The stages: the relay's mark
    (`published_at`, stamped once the broker confirmed the batch), the consumer's record (`consumed_at`, its
    transaction's start) and the log line (after the consumer's commit).
    """
    from books.models import OutboxEvent
    from grpc_service.models import ConsumedEvent

    created: list[int] = []
    started = time.monotonic()

    def write(index: int) -> None:
        delay = started + index / E2E_RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body = {"title": f"E2E {index}", "published_on": "2001-01-01", "author_ids": author_ids}
        created.append(clients(index).post("/books", body)["id"])

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(write, range(writes)))
    rate = writes / (time.monotonic() - started)
    wait_for(lambda: all(book_id in consumed_at for book_id in created), "every event to be logged", 120)
    rows = {
        book_id: (occurred, published, event_id)
        for book_id, occurred, published, event_id in OutboxEvent.objects.filter(
            aggregate_id__in=created, type="book.created"
        ).values_list("aggregate_id", "occurred_at", "published_at", "event_id")
    }
    recorded = dict(
        ConsumedEvent.objects.filter(event_id__in=[row[2] for row in rows.values()]).values_list(
            "event_id", "consumed_at"
        )
    )

    def ms(later: datetime, earlier: datetime) -> float:
        return (later - earlier).total_seconds() * 1000

    spans = {
        "commit → relay's mark (published_at)": [ms(rows[b][1], rows[b][0]) for b in created],
        "relay's mark → consumer's record": [ms(recorded[rows[b][2]], rows[b][1]) for b in created],
        "consumer's record → log line": [ms(consumed_at[b], recorded[rows[b][2]]) for b in created],
    }
    latencies = [ms(consumed_at[b], rows[b][0]) for b in created]
    stages = [
        [stage, f"{statistics.median(values):.1f} ms", f"{percentile(values, 0.99):.1f} ms"]
        for stage, values in spans.items()
    ]
    return EndToEnd(statistics.median(latencies), percentile(latencies, 0.99), rate, stages)


# --- main ---------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="outbox rows and queued messages")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--calls", type=int, default=2000, help="gRPC calls per round and target")
    parser.add_argument("--creates", type=int, default=800, help="REST creates per round and target")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded bench_events database")
    parser.add_argument("--instances", type=int, default=1, help="web, relay and sidecar copies (rest, e2e)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    args = parser.parse_args()
    args.parts = set(args.parts.split(","))

    suffix = uuid.uuid4().hex[:8]
    names = {"BOOK_EVENTS_EXCHANGE": f"bench.books.events.{suffix}", "BOOK_EVENTS_QUEUE": f"bench.book_events.{suffix}"}
    fresh = create_database(DB, reuse=args.reuse)
    setup_django(DB, **names)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken

    from bench.books import seed

    if fresh:
        seed()
    amqp_url = settings.AMQP_URL
    env = child_env(DB, **names, LOG_LEVEL="INFO", SIDECAR_METRICS_PORT="0", RELAY_METRICS_PORT="0",
                    AUTH_THROTTLE_RATE="1000000/min")  # fmt: skip
    user = get_user_model().objects.get(pk=1)
    token = str(RefreshToken.for_user(user).access_token)
    headers = {"Authorization": f"Bearer {token}"}
    broker = Broker(amqp_url, names["BOOK_EVENTS_EXCHANGE"], names["BOOK_EVENTS_QUEUE"])
    goals: list[Goal] = []
    e2e: EndToEnd | None = None
    try:
        if "relay" in args.parts or "consumer" in args.parts:
            bodies = insert_outbox_rows(args.events)
        if "relay" in args.parts:
            pika_rates, relay_rates, extra = [], [], []
            for _ in range(args.rounds):
                pika_rates.append(pika_confirm_per_message(amqp_url, broker, bodies))
                rate, duplicates = relay_drain_rate(amqp_url, broker, args.events)
                relay_rates.append(rate)
                extra.append(duplicates)
            goals.append(Goal(f"relay drains {args.events:,} rows", statistics.median(relay_rates),
                              statistics.median(pika_rates), 3, "events/s"))  # fmt: skip
            print_goals(goals[-1:], "Relay (baseline: pika, one confirm per message)")
            print(f"messages queued beyond one per row (duplicates), per round: {extra}")
        if "consumer" in args.parts:
            bare_rates, sidecar_rates = [], []
            for _ in range(args.rounds):
                bare_rates.append(bare_consume_rate(amqp_url, broker, bodies, settings.EVENTS_CONSUMER_PREFETCH))
                sidecar_rates.append(sidecar_consume_rate(amqp_url, broker, bodies, env))
            goals.append(Goal(f"consumer handles {args.events:,} queued", statistics.median(sidecar_rates),
                              statistics.median(bare_rates), 0.5, "events/s"))  # fmt: skip
            print_goals(goals[-1:], "Consumer (baseline: bare pika consume + ack, same prefetch)")
        if "grpc" in args.parts:
            goals += grpc_rates(amqp_url, env, token, args.rounds, args.calls)
            print_goals(goals[-4:], f"gRPC (baseline: bare grpcio, same bytes; {GRPC_CLIENT_THREADS} client threads)")
        if "rest" in args.parts or "e2e" in args.parts:
            goal, e2e = rest_and_end_to_end(args, env, headers)
            if goal:
                goals.append(goal)
                print_goals(goals[-1:], "REST create (baseline: the same rows in plain SQL, same server)")
    finally:
        broker.delete()
    if e2e:
        row = [f"commit → consumer log line at {E2E_RATE} writes/s", f"{e2e.rate:.0f} writes/s", f"{e2e.p50:.1f} ms",
               f"{e2e.p99:.1f} ms", "p99 < 100 ms", "met" if e2e.p99 < 100 else "MISSED"]  # fmt: skip
        print_table(["goal", "achieved", "p50", "p99", "target", "status"], [row], "End to end")
        print_table(["stage", "p50", "p99"], e2e.stages, "End to end by stage")
    if goals:
        print_goals(goals, "All goals (one run)")


def rest_and_end_to_end(args, env: dict[str, str], headers: dict[str, str]) -> tuple[Goal | None, EndToEnd | None]:
    """`--instances` copies of gunicorn (4 workers in all, with this module's baseline view), of the relay and of
    the sidecar (one of each is what `make run` has)."""
    from books.models import OutboxEvent

    OutboxEvent.objects.all().delete()
    consumed_at: dict[int, datetime] = {}
    logged: Counter[int] = Counter()  # log lines per book: more than one would be an event handled twice

    def on_sidecar_line(line: str, _now: float) -> None:
        if match := CONSUMED.search(line):  # the line starts with its local time, "2026-12-04 05:42:21,859"
            book_id = int(match.group(1))
            logged[book_id] += 1
            consumed_at.setdefault(book_id, datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").astimezone())

    web_ports = [free_port() for _ in range(args.instances)]
    bases = [f"http://127.0.0.1:{port}" for port in web_ports]
    gunicorn = [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "bench.events:bench_app()"]
    workers = str(max(1, 4 // args.instances))  # the same number of web workers in all
    processes = [
        *(
            Process(
                gunicorn,
                env | {"WEB_PORT": str(port), "WEB_CONCURRENCY": workers, "LOG_LEVEL": "WARNING"},
                name="gunicorn",
            )
            for port in web_ports
        ),  # fmt: skip
        *(Process([PYTHON, "manage.py", "relay_events"], env, name="relay") for _ in range(args.instances)),
        *(
            Process([PYTHON, "-m", "grpc_service"], env | {"GRPC_PORT": str(free_port())}, on_sidecar_line)
            for _ in range(args.instances)
        ),  # fmt: skip
    ]
    goal = e2e = None
    try:
        for base in bases:
            wait_for_http(f"{base}/health")
        clients = Clients(bases, headers)
        if "rest" in args.parts:
            goal = rest_create_goal(clients, AUTHOR_IDS, args.rounds, args.creates)
            # The end-to-end run starts from a quiet pipeline: every event of the create rounds published and
            # logged (otherwise its writes queue behind thousands of events still on their way to the consumer).
            wait_for(lambda: not OutboxEvent.objects.filter(published_at__isnull=True).exists(), "the relay", 300)
            wait_for(lambda: len(consumed_at) >= OutboxEvent.objects.count(), "the consumer", 300)
        if "e2e" in args.parts:
            e2e = end_to_end_p99(clients, AUTHOR_IDS, consumed_at, writes=E2E_RATE * 5)
    finally:
        for process in processes:
            process.stop()
    twice = sum(count - 1 for count in logged.values())
    print(f"consumer log lines: {len(logged):,} events, {twice} logged more than once (duplicates)")
    return goal, e2e


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-grpc-server":
        serve_bare_grpc(int(sys.argv[2]), sys.argv[3])
    else:
        main()
