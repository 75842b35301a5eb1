"""Bench of the books read endpoints over a real gunicorn, against a raw-SQL baseline.

    .venv/bin/python bench/books.py [--requests 2000] [--clients 4] [--workers 2] [--instances 1] [--rounds 3] [--reuse]

1. (Re)creates a separate database (`bench_books`, never the app's), migrates it and seeds 10,000 books,
   2,000 authors and 100,000 ratings (1,000 users x 100 books) with COPY.
2. Starts gunicorn on a free loopback port with the real settings (DEBUG off, Redis cache) plus three
   minimal raw-SQL views (one query each, JSON built by PostgreSQL, no DRF, no auth) as the ratio baseline.
3. Measures `GET /books?limit=20`, `GET /books/{id}` and `GET /authors/{id}` with a Python client (httpx,
   several processes, keep-alive): cache cold (every request is the first for its key), cache warm (every key
   cached), and the baseline view for the same requests; each round clears the cache first. Prints the medians
   of `--rounds` rounds as a table and the goal lines of the book reads.

The same module is the gunicorn app (`bench.books:bench_app()`), so the baseline views exist only here.
"""

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is bench/, where this very file would shadow the `books` app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import (  # noqa: E402 - after the sys.path fix above
    PYTHON,
    WEB_WORKER_CLASS,
    Goal,
    Process,
    child_env,
    create_database,
    django_app,
    free_port,
    print_goals,
    print_table,
    setup_django,
    wait_for_http,
)

BOOKS, AUTHORS, USERS, RATINGS_PER_USER = 10_000, 2_000, 1_000, 100
LIST_ORDERINGS = ["", "title", "-title", "published_on", "-published_on", "rating", "-rating"]
LIST_PAGES = 50  # offsets 0..980: within BOOKS_CACHE_LIST_MAX_ROWS, so every page is cacheable
ORDER_SQL = {
    "": "b.id",
    "title": "b.title, b.id",
    "-title": "b.title DESC, b.id DESC",
    "published_on": "b.published_on, b.id",
    "-published_on": "b.published_on DESC, b.id DESC",
    "rating": "b.rating ASC NULLS LAST, b.id",
    "-rating": "b.rating DESC NULLS LAST, b.rating_count DESC, b.id",
}
AUTHORS_JSON = """(SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name) ORDER BY a.name, a.id), '[]')
    FROM books_book_authors ba JOIN books_author a ON a.id = ba.author_id WHERE ba.book_id = b.id)"""


# --- the baseline: minimal raw-SQL Django views, served by the same gunicorn --------------------------------


def _json_response(sql: str, params: list):
    from django.db import connection
    from django.http import HttpResponse, HttpResponseNotFound

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return HttpResponseNotFound(b'{"detail": "Not found."}', content_type="application/json")
    return HttpResponse(row[0] if isinstance(row[0], str) else json.dumps(row[0]), content_type="application/json")


def baseline_books(request):
    limit, offset = int(request.GET.get("limit", 20)), int(request.GET.get("offset", 0))
    order = ORDER_SQL[request.GET.get("ordering", "")]
    sql = f"""
        SELECT json_build_object('count', (SELECT count(*) FROM books_book), 'items', coalesce(json_agg(p), '[]'))::text
        FROM (SELECT b.id, b.title, b.published_on, {AUTHORS_JSON} AS authors, b.rating::text AS rating,
                     b.rating_count, b.created_at, b.updated_at
              FROM books_book b ORDER BY {order} LIMIT %s OFFSET %s) p"""
    return _json_response(sql, [limit, offset])


def baseline_book(request, book_id: int):
    sql = f"""
        SELECT json_build_object('id', b.id, 'title', b.title, 'published_on', b.published_on,
            'authors', {AUTHORS_JSON}, 'rating', b.rating::text, 'rating_count', b.rating_count,
            'my_rating', (SELECT r.score FROM books_rating r WHERE r.book_id = b.id AND r.user_id = %s),
            'created_at', b.created_at, 'updated_at', b.updated_at)::text
        FROM books_book b WHERE b.id = %s"""
    return _json_response(sql, [int(request.GET.get("user", 0)), book_id])


def baseline_author(request, author_id: int):
    sql = """
        SELECT json_build_object('id', a.id, 'name', a.name, 'bio', a.bio,
            'books_count', (SELECT count(*) FROM books_book_authors ba WHERE ba.author_id = a.id),
            'created_at', a.created_at, 'updated_at', a.updated_at,
            'top_books', (SELECT coalesce(json_agg(t), '[]') FROM (
                SELECT b.id, b.title, b.published_on, b.rating::text AS rating, b.rating_count
                FROM books_book b JOIN books_book_authors ba ON ba.book_id = b.id AND ba.author_id = a.id
                ORDER BY b.rating DESC NULLS LAST, b.rating_count DESC, b.title, b.id LIMIT 5) t))::text
        FROM books_author a WHERE a.id = %s"""
    return _json_response(sql, [author_id])


def __getattr__(name: str):
    # This module is the bench server's ROOT_URLCONF: the project's URLs plus the baseline views.
    if name == "urlpatterns":
        from django.urls import path

        from config.urls import urlpatterns

        return [
            path("baseline/books", baseline_books),
            path("baseline/books/<int:book_id>", baseline_book),
            path("baseline/authors/<int:author_id>", baseline_author),
            *urlpatterns,
        ]
    raise AttributeError(name)


def bench_app():
    """gunicorn entry point: the project's app with this module (and its baseline views) as the URLconf."""
    return django_app(__name__)


# --- database: create, migrate, seed with COPY ---------------------------------------------------------------


def seed() -> int:
    """Seed with COPY; returns the id of the user the bench authenticates as."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    rng = random.Random(20261123)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(
            "COPY auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) FROM STDIN"
        ) as copy:
            copy.write_row([1, make_password("bench-password-123"), False, "bench", "", "", "", False, True, now])
            for user_id in range(2, USERS + 2):
                copy.write_row([user_id, "!", False, f"rater{user_id}", "", "", "", False, True, now])
        with raw.copy("COPY books_author (id, name, bio, created_at, updated_at) FROM STDIN") as copy:
            for author_id in range(1, AUTHORS + 1):
                copy.write_row([author_id, f"Author {author_id:04d} {rng.choice('ABCDEFGH')}", "", now, now])
        with raw.copy(
            "COPY books_book (id, title, published_on, rating_sum, rating_count, created_at, updated_at) FROM STDIN"
        ) as copy:
            for book_id in range(1, BOOKS + 1):
                published = f"{rng.randint(1900, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                copy.write_row([book_id, f"Book {book_id:05d} {rng.choice(['red', 'blue', 'green'])}", published,
                                0, 0, now, now])  # fmt: skip
        with raw.copy("COPY books_book_authors (book_id, author_id) FROM STDIN") as copy:
            for book_id in range(1, BOOKS + 1):
                for author_id in sorted(rng.sample(range(1, AUTHORS + 1), k=rng.choice([1, 1, 2, 3]))):
                    copy.write_row([book_id, author_id])
        with raw.copy("COPY books_rating (user_id, book_id, score, created_at, updated_at) FROM STDIN") as copy:
            for user_id in range(2, USERS + 2):
                for book_id in rng.sample(range(1, BOOKS + 1), k=RATINGS_PER_USER):
                    copy.write_row([user_id, book_id, rng.randint(1, 5), now, now])
        cursor.execute(
            "UPDATE books_book b SET rating_sum = r.total, rating_count = r.n"
            " FROM (SELECT book_id, sum(score) AS total, count(*) AS n FROM books_rating GROUP BY book_id) r"
            " WHERE r.book_id = b.id"
        )
        for table in ("auth_user", "books_author", "books_book", "books_book_authors", "books_rating"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {BOOKS} books, {AUTHORS} authors, {USERS * RATINGS_PER_USER} ratings in "
          f"{time.perf_counter() - started:.1f}s")  # fmt: skip
    return 1


# --- the client -----------------------------------------------------------------------------------------------


def _fetch(args: tuple[str, dict, list[str]]) -> list[float]:
    import httpx

    base, headers, paths = args
    latencies = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return latencies


def measure(pool: ProcessPoolExecutor, bases: list[str], headers: dict, paths: list[str], clients: int) -> dict:
    """Client `i` sends its share of `paths` to web instance `i % len(bases)`."""
    chunks = [(bases[index % len(bases)], headers, paths[index::clients]) for index in range(clients)]
    started = time.perf_counter()
    latencies = [latency for part in pool.map(_fetch, chunks) for latency in part]
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


GOALS = [  # (endpoint, mode, at least this many times the raw-SQL view's req/s)
    ("GET /authors/{id}", "API, cache warm", 0.8),
    ("GET /books/{id}", "API, cache warm", 0.9),
    ("GET /books?limit=20", "API, cache cold", 0.5),
    ("GET /authors/{id}", "API, cache cold", 0.5),
]
MODES = ("API, cache cold", "API, cache warm", "raw SQL view (baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="bench_books")
    parser.add_argument("--requests", type=int, default=2000, help="requests per warm/baseline measurement")
    parser.add_argument("--clients", type=int, default=4, help="client processes (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers in all")
    parser.add_argument("--instances", type=int, default=1, help="gunicorn instances sharing the workers")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per row; the table shows medians")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded bench database")
    options = parser.parse_args()

    extra = {
        "CACHE_KEY_PREFIX": "bench-books",
        "JWT_ACCESS_MINUTES": "240",
        "CONN_MAX_AGE": "600",
        "PYTHONWARNINGS": "ignore::UserWarning",  # whitenoise: no collected static files, irrelevant here
    }
    fresh = create_database(options.database, reuse=options.reuse)
    setup_django(options.database, **extra)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from rest_framework_simplejwt.tokens import RefreshToken

    from books.models import Book

    user_id = seed() if fresh else 1
    user = get_user_model().objects.get(pk=user_id)
    headers = {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}

    ports = [free_port() for _ in range(options.instances)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    gunicorn = [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "bench.books:bench_app()"]
    workers = str(max(1, options.workers // options.instances))
    results: dict[tuple[str, str], list[dict]] = {}
    servers = [
        Process(
            gunicorn, child_env(options.database, **extra, WEB_PORT=str(port), WEB_CONCURRENCY=workers), name="gunicorn"
        )  # fmt: skip
        for port in ports
    ]
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        for base in bases:
            wait_for_http(f"{base}/health")
        rng = random.Random(1)
        n = options.requests
        book_ids = rng.sample(list(Book.objects.values_list("id", flat=True)), k=min(n, BOOKS))
        author_ids = rng.sample(range(1, AUTHORS + 1), k=min(n, AUTHORS))
        list_paths = [
            f"/books?limit=20&offset={page * 20}" + (f"&ordering={ordering}" if ordering else "")
            for ordering in LIST_ORDERINGS
            for page in range(LIST_PAGES)
        ]
        rng.shuffle(list_paths)
        scenarios = [
            ("GET /books?limit=20", list_paths),
            ("GET /books/{id}", [f"/books/{pk}" for pk in book_ids]),
            ("GET /authors/{id}", [f"/authors/{pk}" for pk in author_ids]),
        ]
        with ProcessPoolExecutor(max_workers=options.clients) as pool:
            # Warm the processes: connections to PostgreSQL and Redis, imports, JWT; touches no cached key.
            measure(pool, bases, headers, ["/authors?limit=1"] * options.clients * 10, options.clients)
            measure(pool, bases, {}, ["/baseline/books/1"] * options.clients * 10, options.clients)
            for _ in range(options.rounds):
                for name, paths in scenarios:
                    cache.delete_pattern("*")  # only this bench's prefix: every key is cold again
                    cold = measure(pool, bases, headers, paths, options.clients)  # each key requested once
                    warm_paths = (paths * (n // len(paths) + 1))[:n]
                    warm = measure(pool, bases, headers, warm_paths, options.clients)
                    baseline_paths = [f"/baseline{path}" + ("&" if "?" in path else "?") + f"user={user_id}"
                                      for path in warm_paths]  # fmt: skip
                    raw = measure(pool, bases, {}, baseline_paths, options.clients)
                    for mode, result in zip(MODES, (cold, warm, raw), strict=True):
                        results.setdefault((name, mode), []).append(result)

    median = {key: {field: statistics.median(r[field] for r in runs) for field in runs[0]}
              for key, runs in results.items()}  # fmt: skip
    print(f"\n{BOOKS:,} books / {AUTHORS:,} authors / {USERS * RATINGS_PER_USER:,} ratings; gunicorn "
          f"{options.instances} instance(s), {options.workers} {WEB_WORKER_CLASS} workers in all, {options.clients} "
          f"client processes, loopback, {os.cpu_count()} CPUs; medians of {options.rounds} rounds")  # fmt: skip
    print_table(
        ["endpoint", "mode", "requests", "req/s", "p50 ms", "p99 ms", "req/s vs raw"],
        [
            [
                name,
                mode,
                f"{int(m['requests'])}",
                f"{m['rps']:.0f}",
                f"{m['p50']:.2f}",
                f"{m['p99']:.2f}",
                f"{m['rps'] / median[(name, MODES[2])]['rps']:.2f}x",
            ]
            for (name, mode), m in median.items()
        ],  # fmt: skip
    )
    goals = [
        Goal(f"{name} {mode} req/s", median[(name, mode)]["rps"], median[(name, MODES[2])]["rps"], target, "req/s")
        for name, mode, target in GOALS
    ]
    print_goals(goals, "Goals: book reads against the raw-SQL view")


if __name__ == "__main__":
    main()
