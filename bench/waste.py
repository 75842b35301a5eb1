"""Benchmark the waste network: recomputing the distance table, and `generate` (with disposal) over HTTP.

Builds a random network in a separate database (default `bench_waste`, dropped and re-created):
1,000 organizations (all three types), 1,000 storages (one to three types each), 20,000 routes
(3 per organization, the rest between storages, a third of those two-way). Then measures, in one run:

- `distances_recompute()` of every organization (scipy Dijkstra + COPY into a temp table + merge), first on
  an empty table and again with nothing changed (the merge writes no row);
- the same Dijkstra in memory without the database (scipy csgraph), and a pure-Python heapq Dijkstra on
  the same graph as a baseline (over a sample of organizations, extrapolated to all of them);
- adding one storage→storage route through the service (affected organizations only, plus re-dispatch);
- p50/p99 of `POST /waste/organizations/{id}/generate` against gunicorn on a free loopback port with a JWT,
  sequentially and from 8 concurrent clients, and of `GET /waste/organizations/{id}/storages?limit=100`.

Usage: .venv/bin/python bench/waste.py [--db bench_waste] [--requests 500]
"""

import argparse
import heapq
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
ORGANIZATIONS, STORAGES, ROUTES = 1_000, 1_000, 20_000
TYPES = ("bio", "glass", "plastic")


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def child_env(db: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "API_KEY": "bench",
        "DATABASE_URL": database_url(db),
        "LOG_LEVEL": "WARNING",
    }


def prepare(db: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{db}"')
        connection.execute(f'CREATE DATABASE "{db}"')
    for app in ("contenttypes", "auth", "token_blacklist", "waste"):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", app, "--no-input", "-v", "0"],
            cwd=ROOT,
            env=child_env(db),
            check=True,
        )


def setup_django(db: str) -> None:
    os.environ.update(child_env(db))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_network(rng: random.Random) -> None:
    from django.db import transaction

    from waste.models import Organization, OrganizationWaste, Route, Storage, StorageRoom

    with transaction.atomic():
        organizations = Organization.objects.bulk_create(Organization(name=f"ОО{i}") for i in range(ORGANIZATIONS))
        storages = Storage.objects.bulk_create(Storage(name=f"МНО{i}") for i in range(STORAGES))
        OrganizationWaste.objects.bulk_create(
            OrganizationWaste(organization=org, waste_type=t, limit=1_000_000, stock=0)
            for org in organizations
            for t in TYPES
        )
        StorageRoom.objects.bulk_create(
            StorageRoom(storage=storage, waste_type=t, capacity=rng.randint(5_000, 50_000))
            for storage in storages
            for t in rng.sample(TYPES, rng.randint(1, 3))
        )
        routes: list[Route] = []
        seen: set[tuple[str, int, int]] = set()
        for org in organizations:
            for storage in rng.sample(storages, 3):
                seen.add(("o", org.pk, storage.pk))
                routes.append(Route(from_organization=org, to_storage=storage, distance_m=rng.randint(10, 5_000)))
        while len(routes) < ROUTES:
            a, b = rng.sample(storages, 2)
            if ("s", a.pk, b.pk) in seen or ("s", b.pk, a.pk) in seen:
                continue
            seen.add(("s", a.pk, b.pk))
            two_way = rng.random() < 1 / 3
            routes.append(Route(from_storage=a, to_storage=b, distance_m=rng.randint(10, 5_000), two_way=two_way))
        Route.objects.bulk_create(routes)


def python_dijkstra(adjacency: dict[str, list[tuple[str, int]]], source: str) -> dict[str, int]:
    dist = {source: 0}
    heap = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float("inf")):
            continue
        for target, weight in adjacency.get(node, ()):
            nd = d + weight
            if nd < dist.get(target, float("inf")):
                dist[target] = nd
                heapq.heappush(heap, (nd, target))
    return dist


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def recompute_figures(rng: random.Random) -> list[tuple[str, float, str]]:
    from django.db import transaction

    from waste.models import Distance, Organization, Route, Storage
    from waste.services import distances_recompute, network_lock, route_create
    from waste.services.network import network_edges, shortest_paths

    rows: list[tuple[str, float, str]] = []

    def recompute_all() -> int:
        with transaction.atomic():
            network_lock(shared=False)
            return distances_recompute()

    seconds, pairs = timed(recompute_all)
    rows.append(("recompute all, empty table (DB)", seconds, f"{pairs:,} pairs written"))
    seconds, pairs = timed(recompute_all)
    rows.append(("recompute all, nothing changed (DB)", seconds, f"{pairs:,} pairs, 0 written"))

    org_ids = list(Organization.objects.values_list("id", flat=True))
    storage_ids = list(Storage.objects.values_list("id", flat=True))
    edges = network_edges()
    seconds, count = timed(
        lambda: sum(1 for _ in shortest_paths(organization_ids=org_ids, storage_ids=storage_ids, routes=edges))
    )
    rows.append(("scipy Dijkstra + paths, in memory", seconds, f"{count:,} pairs"))

    adjacency: dict[str, list[tuple[str, int]]] = {}
    for edge in edges:
        source = f"o{edge.from_organization_id}" if edge.from_organization_id else f"s{edge.from_storage_id}"
        adjacency.setdefault(source, []).append((f"s{edge.to_storage_id}", edge.distance_m))
        if edge.two_way:
            adjacency.setdefault(f"s{edge.to_storage_id}", []).append((source, edge.distance_m))
    sample = org_ids[:100]
    seconds, _ = timed(lambda: [python_dijkstra(adjacency, f"o{org}") for org in sample])
    rows.append(
        ("pure-Python heapq Dijkstra (baseline)", seconds * len(org_ids) / len(sample), "distances only, x10 of 100")
    )

    storages = list(Storage.objects.all())
    while True:
        a, b = rng.sample(storages, 2)
        if not Route.objects.filter(from_storage__in=[a, b], to_storage__in=[a, b]).exists():
            break
    seconds, _ = timed(lambda: route_create(from_storage=a, to_storage=b, distance_m=1, two_way=True))
    rows.append(("route_create (affected orgs + re-dispatch)", seconds, f"{Distance.objects.count():,} pairs in table"))
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000


def http_figures(db: str, requests: int, rng: random.Random) -> list[tuple[str, int, float, float, float, float]]:
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken

    from waste.models import Organization

    user, _ = get_user_model().objects.get_or_create(username="bench")
    token = str(RefreshToken.for_user(user).access_token)
    org_ids = list(Organization.objects.values_list("id", flat=True))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "-b", f"127.0.0.1:{port}", "config.asgi"],
        cwd=ROOT,
        env=child_env(db) | {"WEB_CONCURRENCY": "4"},
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}

        def generate(client: httpx.Client) -> float:
            org = rng.choice(org_ids)
            body = {"plastic": rng.randint(1, 20), "glass": rng.randint(1, 20), "bio": rng.randint(1, 20)}
            started = time.perf_counter()
            response = client.post(f"{base}/waste/organizations/{org}/generate", json=body, headers=headers)
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or not response.json()["transfers"]:
                raise RuntimeError(f"generate failed: {response.status_code} {response.text[:300]}")
            return elapsed

        def storages(client: httpx.Client) -> float:
            started = time.perf_counter()
            response = client.get(f"{base}/waste/organizations/{rng.choice(org_ids)}/storages?limit=100")
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"storages failed: {response.status_code}")
            return elapsed

        with httpx.Client(timeout=30) as client:
            for _ in range(20):
                generate(client)  # warm up every worker
            started = time.perf_counter()
            samples = [generate(client) for _ in range(requests)]
            rows.append(("POST generate, 1 client", requests, time.perf_counter() - started, *percentiles(samples)))
            started = time.perf_counter()
            samples = [storages(client) for _ in range(requests)]
            rows.append(
                ("GET storages?limit=100, 1 client", requests, time.perf_counter() - started, *percentiles(samples))
            )

        clients = [httpx.Client(timeout=30) for _ in range(8)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            samples = list(pool.map(lambda i: generate(clients[i % 8]), range(requests)))
        rows.append(("POST generate, 8 clients", requests, time.perf_counter() - started, *percentiles(samples)))
        for client in clients:
            client.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def check_consistency() -> str:
    from django.db.models import F, Sum

    from waste.models import OrganizationWaste, StorageRoom, Transfer

    over = StorageRoom.objects.filter(stored__gt=F("capacity")).count()
    transferred = Transfer.objects.aggregate(total=Sum("amount"))["total"] or 0
    stored = StorageRoom.objects.aggregate(total=Sum("stored"))["total"] or 0
    stock = OrganizationWaste.objects.aggregate(total=Sum("stock"))["total"] or 0
    if over or transferred != stored:
        raise RuntimeError(f"inconsistent: over={over} transferred={transferred} stored={stored}")
    return f"consistent: {transferred:,} units transferred = stored, {stock:,} waiting, 0 rooms over capacity"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="bench_waste")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    prepare(args.db)
    setup_django(args.db)
    seconds, _ = timed(build_network, rng)
    print(
        f"built {ORGANIZATIONS:,} organizations, {STORAGES:,} storages, {ROUTES:,} routes in {seconds:.1f}s",
        file=sys.stderr,
    )

    recompute = recompute_figures(rng)
    http = http_figures(args.db, args.requests, rng)

    print(f"\n{'distance table':<44} | {'seconds':>8} | note")
    print(f"{'-' * 44}-+-{'-' * 8}-+-{'-' * 30}")
    for label, seconds, note in recompute:
        print(f"{label:<44} | {seconds:>8.3f} | {note}")
    header = ("requests", "req/s", "p50 ms", "p99 ms", "max ms")
    print(f"\n{'HTTP (gunicorn 4x4, loopback, JWT)':<34} | " + " | ".join(f"{h:>8}" for h in header))
    print(f"{'-' * 34}-+-" + "-+-".join("-" * 8 for _ in header))
    for label, count, total, p50, p99, worst in http:
        print(f"{label:<34} | {count:>8} | {count / total:>8.0f} | {p50:>8.1f} | {p99:>8.1f} | {worst:>8.1f}")
    print("\n" + check_consistency())


if __name__ == "__main__":
    main()
