"""Benchmark of the waste network at scale (issue 19): import, route edits, disposals and reads, against baselines.

    .venv/bin/python bench/waste.py [--db bench_waste] [--rounds 3] [--requests 300] [--route-edits 30] [--workers 4]
                                    [--serving gthread,asgi]

1. (Re)creates a separate database (`bench_waste`, never the app's) and builds, in memory, a network document of
   1,000 organizations (all three types), 1,000 storages (one to three types each) and 20,000 routes (3 per
   organization, the rest between storages, a third of those two-way): every organization reaches every storage,
   so the distance table holds 1,000,000 pairs.
2. Import, each round on emptied tables: `network_import` of the document (the service behind
   `POST /waste/network/import` and `manage.py import_waste_network`) against the baseline, scipy's all-pairs
   Dijkstra of the same graph plus a `COPY` of its 1,000,000 rows into a table shaped like the distance table.
3. Serves the last import with gunicorn (config/gunicorn.py, `--workers` of them, DEBUG off) on a free loopback
   port, once per serving setup (`--serving`: gthread as compose and Kubernetes serve it, then the asyncio ASGI
   worker with a psycopg pool per worker as `make run` does), and measures, per round, with client processes
   (http.client, keep-alive): `GET /health` (the baseline of every latency goal), `POST /waste/routes`,
   `PATCH /waste/routes/{id}`, `DELETE /waste/routes/{id}` (staff JWT, storage→storage routes at random),
   `POST /waste/organizations/{id}/generate` from 1 and from 8 clients, `GET /waste/storages?limit=100` and
   `GET /waste/organizations/{id}/storages?limit=100`. Then `generate` from 1 and 8 clients again, metered (the
   sampling costs CPU itself): CPU time per request of the server (gunicorn and its workers, /proc), of the
   PostgreSQL backends of the bench database and of the clients, and what the active backends were doing
   (pg_stat_activity every 5 ms: running, waiting for a row lock, for the WAL, other); the ceiling of 8 clients
   on this machine's cores follows from the CPU per request.
4. Checks the result: transfers = stored, no room over capacity, and the distance table (after every route edit
   of every round) equal to a full recompute.

Prints a table of medians over `--rounds` rounds and one goal line per goal of the issue (the HTTP ones per serving
setup, each against its own `GET /health`), all from this one run.
"""

import argparse
import http.client
import io
import json
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is bench/, where this very file would shadow the `waste` app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import (  # noqa: E402 - after the sys.path fix above
    PYTHON,
    Goal,
    Process,
    child_env,
    create_database,
    free_port,
    percentile,
    print_goals,
    print_table,
    setup_django,
    timed,
    wait_for_http,
)

ORGANIZATIONS, STORAGES, ROUTES = 1_000, 1_000, 20_000
TYPES = ("bio", "glass", "plastic")
EXTRA = {"JWT_ACCESS_MINUTES": "600", "CACHE_KEY_PREFIX": "bench-waste", "PYTHONWARNINGS": "ignore::UserWarning"}


# --- the network document ------------------------------------------------------------------------------------


def network_document(rng: random.Random) -> dict:
    """The import document of the bench network (names only, as `POST /waste/network/import` takes it)."""
    organizations = [
        {"name": f"ОО{i}", "waste": {t: {"limit": 1_000_000} for t in TYPES}} for i in range(ORGANIZATIONS)
    ]
    storages = [
        {"name": f"МНО{i}", "capacity": {t: rng.randint(5_000, 50_000) for t in rng.sample(TYPES, rng.randint(1, 3))}}
        for i in range(STORAGES)
    ]
    routes: list[dict] = []
    for i in range(ORGANIZATIONS):
        for j in rng.sample(range(STORAGES), 3):
            routes.append({"from": f"ОО{i}", "to": f"МНО{j}", "distance_m": rng.randint(10, 5_000)})
    pairs: set[frozenset[int]] = set()
    while len(routes) < ROUTES:
        a, b = rng.sample(range(STORAGES), 2)
        if frozenset((a, b)) in pairs:
            continue
        pairs.add(frozenset((a, b)))
        two_way = rng.random() < 1 / 3
        routes.append({"from": f"МНО{a}", "to": f"МНО{b}", "distance_m": rng.randint(10, 5_000), "two_way": two_way})
    return {"organizations": organizations, "storages": storages, "routes": routes}


# --- import against scipy + COPY ----------------------------------------------------------------------------


def empty_waste_tables() -> None:
    from django.apps import apps
    from django.db import connection

    tables = ", ".join(model._meta.db_table for model in apps.get_app_config("waste").get_models())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def import_seconds(document: dict) -> tuple[float, int]:
    from waste.services import network_import

    empty_waste_tables()
    seconds, counts = timed(network_import, data=document)
    return seconds, counts.distances


def baseline_seconds() -> tuple[float, float, int]:
    """scipy all-pairs Dijkstra of the network in the database, and COPY of its rows into a distance-shaped table.

    The rows' text is made between the two timings (the project's own row writer), so neither includes it.
    """
    import numpy as np
    from django.db import connection, transaction
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from waste.models import Organization, Storage
    from waste.services.network import DISTANCE_COLUMNS, DISTANCE_TABLE, network_edges
    from waste.shortest_paths import distance_rows

    organization_ids = list(Organization.objects.order_by("id").values_list("id", flat=True))
    storage_ids = list(Storage.objects.order_by("id").values_list("id", flat=True))
    edges = network_edges()
    started = time.perf_counter()
    index = {("s", pk): i for i, pk in enumerate(storage_ids)}
    index |= {("o", pk): len(storage_ids) + i for i, pk in enumerate(organization_ids)}
    arcs: list[tuple[int, int, int]] = []
    for edge in edges:
        source = index[("o", edge.from_organization_id) if edge.from_organization_id else ("s", edge.from_storage_id)]
        target = index[("s", edge.to_storage_id)]
        arcs.append((source, target, edge.distance_m))
        if edge.two_way:
            arcs.append((target, source, edge.distance_m))
    sources, targets, weights = zip(*arcs, strict=True)
    size = len(index)
    matrix = csr_matrix((np.array(weights, dtype=np.float64), (sources, targets)), shape=(size, size))
    dist, _pred = dijkstra(matrix, directed=True, indices=range(len(storage_ids), size), return_predecessors=True)
    dijkstra_seconds = time.perf_counter() - started
    text = "".join(distance_rows(organization_ids=organization_ids, storage_ids=storage_ids, routes=edges))
    rows = int(np.isfinite(dist[:, : len(storage_ids)]).sum())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_distance_copy")
        cursor.execute(f"CREATE TABLE bench_distance_copy (LIKE {DISTANCE_TABLE} INCLUDING ALL)")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(f"COPY bench_distance_copy ({DISTANCE_COLUMNS}) FROM STDIN") as copy,
    ):
        copy.write(text)
    copy_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_distance_copy")
    return dijkstra_seconds, copy_seconds, rows


# --- HTTP clients ---------------------------------------------------------------------------------------------


class Client:
    """A keep-alive HTTP/1.1 client on the standard library: the load generator shares the machine's cores with
    the server, and http.client spends a fraction of httpx's CPU per request, so it distorts the server less."""

    def __init__(self, base: str, headers: dict) -> None:
        url = urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        self.headers = headers

    def call(self, method: str, path: str, body: object, expected: int) -> tuple[float, bytes]:
        """(seconds, body) of one request; a status other than `expected` stops the bench."""
        data = None if body is None else json.dumps(body).encode()
        headers = self.headers if data is None else {**self.headers, "Content-Type": "application/json"}
        sent = time.perf_counter()
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - sent
        if response.status != expected:
            raise RuntimeError(f"{method} {path}: {response.status} {content[:300]!r}")
        return elapsed, content

    def close(self) -> None:
        self.connection.close()


def _send(args: tuple[str, dict, list[tuple[str, str, object, int]]]) -> tuple[list[float], float, float, float]:
    """One client process: the requests in order; (latencies, start, end) on the machine's monotonic clock, and
    the CPU seconds the client spent."""
    base, headers, requests = args
    client = Client(base, headers)
    client.call("GET", "/health", None, 200)  # connect before the clock starts
    cpu = time.process_time()
    started = time.clock_gettime(time.CLOCK_MONOTONIC)
    latencies = [client.call(*request)[0] for request in requests]
    ended = time.clock_gettime(time.CLOCK_MONOTONIC)
    cpu = time.process_time() - cpu
    client.close()
    return latencies, started, ended, cpu


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_kind(kind: str | None, event: str | None) -> str:
    if kind is None:
        return "cpu"
    if kind == "Lock":
        return "lock"
    return "wal" if (event or "").startswith("WAL") else "other"


class CpuMeter:
    """CPU time of the server's processes (gunicorn and its workers) and of the PostgreSQL backends of the bench
    database over a measurement, and what those backends wait for (pg_stat_activity, sampled every few ms)."""

    def __init__(self, server_pid: int, db: str) -> None:
        import psycopg

        from bench.common import database_url

        self.server_pid, self.db = server_pid, db
        self.monitor = psycopg.connect(database_url(db), autocommit=True)

    def _pids(self) -> list[int]:
        server = [self.server_pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(self.server_pid):
                        server.append(int(entry.name))
                except (FileNotFoundError, ProcessLookupError):
                    continue
        self.backends = [row[0] for row in self.monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.db])]  # fmt: skip
        return server

    def _sample(self) -> None:
        while not self.stopping.wait(0.005):
            for kind, event in self.monitor.execute(
                "SELECT wait_event_type, wait_event FROM pg_stat_activity"
                " WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()", [self.db]
            ):  # fmt: skip
                self.waits[_wait_kind(kind, event)] = self.waits.get(_wait_kind(kind, event), 0) + 1

    def start(self) -> None:
        import threading

        self.server = self._pids()
        self.before = (sum(map(_cpu_seconds, self.server)), sum(map(_cpu_seconds, self.backends)))
        self.waits: dict[str, int] = {}
        self.stopping = threading.Event()
        self.sampler = threading.Thread(target=self._sample)
        self.sampler.start()

    def stop(self, requests: int) -> dict:
        self.stopping.set()
        self.sampler.join()
        server, backends = sum(map(_cpu_seconds, self.server)), sum(map(_cpu_seconds, self.backends))
        samples = sum(self.waits.values()) or 1
        return {
            "server_cpu": (server - self.before[0]) * 1000 / requests,
            "db_cpu": (backends - self.before[1]) * 1000 / requests,
            # Shares of the sampled active backends: running, waiting for a row lock, for the WAL (the commit's
            # flush), for anything else (reading a page, a buffer).
            **{f"{key}_share": self.waits.get(key, 0) / samples for key in ("cpu", "lock", "wal", "other")},
        }


def run_clients(
    pool: ProcessPoolExecutor, base: str, headers: dict, requests: list, clients: int, cpu: "CpuMeter | None" = None
) -> dict:
    """Spread `requests` over `clients` processes; p50 (ms) of every request and throughput (req/s). With `cpu`:
    also the CPU ms per request of the server, of the database backends and of the clients, and wait events."""
    if cpu is not None:
        cpu.start()
    parts = list(pool.map(_send, [(base, headers, requests[index::clients]) for index in range(clients)]))
    latencies = [latency for part, _, _, _ in parts for latency in part]
    wall = max(ended for _, _, ended, _ in parts) - min(started for _, started, _, _ in parts)
    figures = {
        "p50": statistics.median(latencies) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "rps": len(latencies) / wall,
    }
    if cpu is not None:
        figures |= cpu.stop(len(latencies)) | {"client_cpu": sum(part[3] for part in parts) * 1000 / len(latencies)}
        figures["cpu"] = figures["server_cpu"] + figures["db_cpu"] + figures["client_cpu"]
        figures["wall"] = wall * 1000 / len(latencies)
    return figures


def route_edits(base: str, headers: dict, storage_ids: list[int], edits: int, rng: random.Random) -> dict[str, dict]:
    """Create `edits` storage→storage routes, change each one's length, then delete them: p50 of each kind."""
    from waste.models import Route

    existing = set(Route.objects.filter(from_storage__isnull=False).values_list("from_storage_id", "to_storage_id"))
    pairs: list[tuple[int, int]] = []
    while len(pairs) < edits:
        a, b = rng.sample(storage_ids, 2)
        if (a, b) not in existing and (b, a) not in existing:
            existing.add((a, b))
            pairs.append((a, b))
    latencies: dict[str, list[float]] = {"create": [], "update": [], "delete": []}
    client = Client(base, headers)

    def call(kind: str, method: str, path: str, body: object, expected: int) -> dict:
        elapsed, content = client.call(method, path, body, expected)
        latencies[kind].append(elapsed)
        return json.loads(content) if content else {}

    client.call("GET", "/health", None, 200)
    ids = [
        call("create", "POST", "/waste/routes", {"from_storage": a, "to_storage": b,
             "distance_m": rng.randint(10, 5_000), "two_way": rng.random() < 1 / 3}, 201)["id"]
        for a, b in pairs
    ]  # fmt: skip
    for route_id in ids:
        call("update", "PATCH", f"/waste/routes/{route_id}", {"distance_m": rng.randint(10, 5_000)}, 200)
    for route_id in ids:
        call("delete", "DELETE", f"/waste/routes/{route_id}", None, 204)
    client.close()
    return {kind: {"p50": statistics.median(values) * 1000, "p99": percentile(values, 0.99) * 1000,
                   "rps": len(values) / sum(values)} for kind, values in latencies.items()}  # fmt: skip


def generate_requests(organization_ids: list[int], count: int, rng: random.Random) -> list[tuple]:
    return [
        ("POST", f"/waste/organizations/{rng.choice(organization_ids)}/generate",
         {t: rng.randint(1, 20) for t in TYPES}, 200)
        for _ in range(count)
    ]  # fmt: skip


# --- checks ---------------------------------------------------------------------------------------------------


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


def check_distances() -> str:
    """The table kept up to date by the route edits holds exactly the distances of a full recompute."""
    from django.db import connection

    from waste.models import Organization, Storage
    from waste.services.network import DISTANCE_TABLE, network_edges
    from waste.shortest_paths import distance_rows

    expected = io.StringIO()
    expected.writelines(
        distance_rows(
            organization_ids=Organization.objects.values_list("id", flat=True),
            storage_ids=Storage.objects.values_list("id", flat=True),
            routes=network_edges(),
        )
    )
    expected = {tuple(map(int, line.split("\t", 3)[:3])) for line in expected.getvalue().splitlines()}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT organization_id, storage_id, distance_m FROM {DISTANCE_TABLE}")
        actual = set(cursor.fetchall())
    if actual != expected:
        raise RuntimeError(f"distance table differs from a full recompute: {len(actual ^ expected)} pairs")
    return f"distance table = full recompute: {len(actual):,} pairs"


# --- main -----------------------------------------------------------------------------------------------------


def median_rows(results: dict[str, list[dict]]) -> dict[str, dict]:
    return {key: {field: statistics.median(run[field] for run in runs) for field in runs[0]}
            for key, runs in results.items()}  # fmt: skip


def serve_and_measure(options: argparse.Namespace, worker_class: str, headers: dict, rng: random.Random) -> dict:
    """Start gunicorn with `worker_class` and measure every HTTP figure for `options.rounds` rounds: medians."""
    from waste.models import Organization, Storage

    organization_ids = list(Organization.objects.values_list("id", flat=True))
    storage_ids = list(Storage.objects.values_list("id", flat=True))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "-b", f"127.0.0.1:{port}"]
    env = child_env(
        options.db, **EXTRA, WEB_CONCURRENCY=str(options.workers), WEB_PORT=str(port), WEB_WORKER_CLASS=worker_class
    )
    n = options.requests
    results: dict[str, list[dict]] = {}
    with Process(server, env, name="gunicorn") as process, ProcessPoolExecutor(max_workers=8) as pool:
        try:
            wait_for_http(f"{base}/health")
        except SystemExit:
            print("\n".join(process.tail), file=sys.stderr)
            raise
        cpu = CpuMeter(process.pid, options.db)
        # Warm every worker and client process: imports, connections, JWT, the first query plans.
        run_clients(pool, base, headers, generate_requests(organization_ids, 64, rng), 8)
        run_clients(pool, base, {}, [("GET", "/waste/storages?limit=100", None, 200)] * 64, 8)
        for round_number in range(options.rounds):
            figures = {
                "GET /health": run_clients(pool, base, {}, [("GET", "/health", None, 200)] * n, 1),
                "GET /waste/storages?limit=100": run_clients(
                    pool, base, {},
                    [("GET", f"/waste/storages?limit=100&offset={rng.randrange(10) * 100}", None, 200)
                     for _ in range(n)], 1),
                "GET /waste/organizations/{id}/storages?limit=100": run_clients(
                    pool, base, {},
                    [("GET", f"/waste/organizations/{rng.choice(organization_ids)}/storages?limit=100", None, 200)
                     for _ in range(n)], 1),
                "POST generate, 1 client": run_clients(
                    pool, base, headers, generate_requests(organization_ids, n, rng), 1),
                "POST generate, 8 clients": run_clients(
                    pool, base, headers, generate_requests(organization_ids, 2 * n, rng), 8),
                # The same again, metered (the sampling costs CPU itself, so the figures above are taken without).
                "metered: 1 client": run_clients(
                    pool, base, headers, generate_requests(organization_ids, n, rng), 1, cpu),
                "metered: 8 clients": run_clients(
                    pool, base, headers, generate_requests(organization_ids, 2 * n, rng), 8, cpu),
            }  # fmt: skip
            edits = route_edits(base, headers, storage_ids, options.route_edits, rng)
            figures |= {
                "POST /waste/routes": edits["create"],
                "PATCH /waste/routes/{id}": edits["update"],
                "DELETE /waste/routes/{id}": edits["delete"],
            }
            for name, figure in figures.items():
                results.setdefault(name, []).append(figure)
            print(f"{worker_class} round {round_number + 1}: "
                  + ", ".join(f"{k} {v['p50']:.1f} ms" for k, v in figures.items() if "cpu" not in v),
                  file=sys.stderr)  # fmt: skip
    return median_rows(results)


def http_goals(worker_class: str, http: dict) -> list[Goal]:
    health = http["GET /health"]["p50"]
    return [
        *(Goal(f"{worker_class}: {name} p50 vs GET /health p50", http[name]["p50"], health, 50, "ms",
               higher_is_better=False)
          for name in ("POST /waste/routes", "PATCH /waste/routes/{id}", "DELETE /waste/routes/{id}")),
        Goal(f"{worker_class}: POST generate (1 client) p50 vs GET /health p50", http["POST generate, 1 client"]["p50"],
             health, 5, "ms", higher_is_better=False),
        Goal(f"{worker_class}: POST generate req/s, 8 clients vs 1 client", http["POST generate, 8 clients"]["rps"],
             http["POST generate, 1 client"]["rps"], 2.5, "req/s"),
        Goal(f"{worker_class}: GET /waste/storages?limit=100 p50 vs GET /health p50",
             http["GET /waste/storages?limit=100"]["p50"], health, 5, "ms", higher_is_better=False),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench_waste")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per figure; the tables show medians")
    parser.add_argument("--requests", type=int, default=300, help="requests per HTTP figure and round")
    parser.add_argument("--route-edits", type=int, default=30, help="routes created, changed and deleted per round")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument(
        "--serving",
        type=lambda text: text.split(","),
        default=["gthread", "asgi"],
        help="gunicorn worker classes to measure, one server after the other (compose/Kubernetes, make run)",
    )
    parser.add_argument("--seed", type=int, default=4)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    create_database(options.db)
    setup_django(options.db, **EXTRA)
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken

    document = network_document(rng)
    body_mib = len(json.dumps(document, ensure_ascii=False).encode()) / 2**20
    imports: dict[str, list[dict]] = {}
    for _ in range(options.rounds):
        seconds, pairs = import_seconds(document)
        dijkstra_s, copy_s, rows = baseline_seconds()  # of the network just imported
        if rows != pairs:
            raise RuntimeError(f"import wrote {pairs} pairs, scipy found {rows}")
        for key, value in (("import", seconds), ("dijkstra", dijkstra_s), ("copy", copy_s),
                           ("baseline", dijkstra_s + copy_s)):  # fmt: skip
            imports.setdefault(key, []).append({"seconds": value})
        print(f"import {seconds:.2f}s, scipy Dijkstra {dijkstra_s:.2f}s + COPY {copy_s:.2f}s", file=sys.stderr)
    imported = median_rows(imports)

    staff, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    headers = {"Authorization": f"Bearer {RefreshToken.for_user(staff).access_token}"}
    http = {worker_class: serve_and_measure(options, worker_class, headers, rng) for worker_class in options.serving}

    print(f"\n{ORGANIZATIONS:,} organizations / {STORAGES:,} storages / {ROUTES:,} routes "
          f"({body_mib:.1f} MiB document); gunicorn x{options.workers} workers, "
          f"loopback, {os.cpu_count()} CPUs; medians of {options.rounds} rounds")  # fmt: skip
    print_table(
        ["step", "seconds"],
        [
            [
                "import (network_import: sites, routes, Dijkstra, COPY of the distances)",
                f"{imported['import']['seconds']:.2f}",
            ],
            ["baseline: scipy all-pairs Dijkstra", f"{imported['dijkstra']['seconds']:.2f}"],
            ["baseline: COPY of the 1,000,000-row distance table", f"{imported['copy']['seconds']:.2f}"],
        ],  # fmt: skip
        "Import",
    )
    for worker_class, figures in http.items():
        health = figures["GET /health"]["p50"]
        print_table(
            ["request", "p50 ms", "p99 ms", "req/s", "p50 vs /health"],
            [
                [name, f"{m['p50']:.2f}", f"{m['p99']:.2f}", f"{m['rps']:.0f}", f"{m['p50'] / health:.1f}x"]
                for name, m in figures.items()
                if "cpu" not in m
            ],  # fmt: skip
            f"HTTP, gunicorn {worker_class}",
        )
    for worker_class, figures in http.items():
        rows = [
            [name.removeprefix("metered: "), f"{m['rps']:.0f}", f"{m['wall']:.2f}", f"{m['cpu']:.2f}",
             f"{m['server_cpu']:.2f}", f"{m['db_cpu']:.2f}", f"{m['client_cpu']:.2f}",
             " / ".join(f"{m[f'{key}_share']:.0%}" for key in ("cpu", "lock", "wal", "other"))]
            for name, m in figures.items() if "cpu" in m
        ]  # fmt: skip
        print_table(
            ["generate", "req/s", "wall ms/req", "CPU ms/req", "gunicorn", "PostgreSQL", "clients",
             "backends: CPU / row lock / WAL / other"],
            rows,
            f"Where a generate goes, gunicorn {worker_class} (a metered rerun: CPU per request, what the active "
            "backends were doing)",
        )  # fmt: skip
        one, eight = figures["metered: 1 client"], figures["metered: 8 clients"]
        ceiling = (os.cpu_count() or 1) * 1000 / eight["cpu"]
        print(f"\nCeiling on {os.cpu_count()} cores at {eight['cpu']:.2f} CPU ms per request: {ceiling:.0f} req/s, "
              f"{ceiling / one['rps']:.2f}x the 1-client rate ({one['rps']:.0f} req/s; the single client's request "
              f"takes {one['wall']:.2f} ms wall for {one['cpu']:.2f} ms of CPU)")  # fmt: skip
    goals = [
        Goal("import vs scipy Dijkstra + COPY (s)", imported["import"]["seconds"], imported["baseline"]["seconds"],
             2, "s", higher_is_better=False),
        *(goal for worker_class, figures in http.items() for goal in http_goals(worker_class, figures)),
    ]  # fmt: skip
    print_goals(goals, "Goals: waste at scale")
    print("\n" + check_consistency())
    print(check_distances())


if __name__ == "__main__":
    main()
