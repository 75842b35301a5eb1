"""Bench of the deals upload: HTTP upload through gunicorn vs `psql \\copy` of the same file.

Usage: .venv/bin/python bench/deals.py [--sizes 10000,100000,1000000] [--keep-db]

Creates the database `bench_deals` (dropped first), migrates it, starts gunicorn (config/gunicorn.py, one
worker, a free loopback port), registers a user and for each generated file (~500 customers, ~30 gems):
uploads it with a JWT, reads the worker's peak RSS growth (/proc/<pid>/status VmHWM, reset via clear_refs),
and times `psql -c "\\copy ..."` of the same file into an equivalent table. Then GET /deals warm latency.
"""

import argparse
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
DB_NAME = "bench_deals"
GEMS = [f"Камень-{n:02d}" for n in range(30)]
EQUIVALENT_TABLE = """
DROP TABLE IF EXISTS bench_copy;
CREATE TABLE bench_copy (
    customer text NOT NULL, item text NOT NULL, total numeric(14, 2) NOT NULL,
    quantity integer NOT NULL, date timestamptz NOT NULL
);
"""


def psql(*args: str, db: str = DB_NAME) -> str:
    command = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", db, "-X", "-q", "-t", "-A"]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout.strip()


def generate(path: Path, rows: int, rng: random.Random) -> None:
    customers = [f"customer{n:03d}" for n in range(500)]
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("customer,item,total,quantity,date\n")
        for n in range(rows):
            quantity = rng.randint(1, 9)
            file.write(
                f"{rng.choice(customers)},{rng.choice(GEMS)},{quantity * rng.randint(50, 5000)},{quantity},"
                f"2018-12-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}.{n % 1000000:06d}\n"
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser()
    # The second 1M upload replaces a 1M dataset, so it pays the purge of a full one.
    parser.add_argument("--sizes", default="10000,100000,1000000,1000000")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    psql("-c", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", db="postgres")
    psql("-c", f"CREATE DATABASE {DB_NAME}", db="postgres")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB_NAME}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "API_KEY": "bench-api-key",
        "CACHE_KEY_PREFIX": f"bench-deals-{os.getpid()}",
        "WEB_CONCURRENCY": "1",
        "WEB_TIMEOUT": "600",
        "AUTH_THROTTLE_RATE": "1000/min",
        "LOG_LEVEL": "INFO",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    psql("-c", EQUIVALENT_TABLE)

    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-deals-") as tmp:
        files = {}
        for rows in dict.fromkeys(sizes):
            files[rows] = Path(tmp) / f"deals_{rows}.csv"
            generate(files[rows], rows, rng)
        log_path = Path(tmp) / "gunicorn.log"

        server = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}", "config.asgi"],
            cwd=ROOT,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            worker = worker_pid(server.pid)
            results = run(base, worker, [(rows, files[rows]) for rows in sizes], log_path)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    if not args.keep_db:
        psql("-c", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", db="postgres")
    print_table(results)


def phases(log_path: Path, uploads_done: int) -> dict[str, float]:
    """copy/top/switch seconds of the last load and the purge that followed it (in a background thread)."""
    deadline = time.monotonic() + 120
    while True:
        lines = log_path.read_text().splitlines()
        loaded = [line for line in lines if "deals dataset" in line and "loaded" in line]
        purged = [line for line in lines if "deals datasets purged" in line]
        if uploads_done == 1 or len(purged) >= uploads_done - 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    found = re.findall(r"(copy|top|switch)=([\d.]+)s", loaded[-1])
    if uploads_done > 1 and purged:
        found += re.findall(r"(purge)=([\d.]+)s", purged[-1])
    return {f"phase_{key}": float(value) for key, value in found}


def run(base: str, worker: int, files: list[tuple[int, Path]], log_path: Path) -> dict:
    credentials = {"username": "bench", "password": "bench-password-123"}
    with httpx.Client(base_url=base, timeout=600) as client:
        client.post("/auth/register", json=credentials).raise_for_status()
        token = client.post("/auth/token", json=credentials).json()["access"]
        client.headers["Authorization"] = f"Bearer {token}"
        client.get("/deals").raise_for_status()  # warm the worker (imports, DB connection)

        uploads = []
        for rows, path in files:
            baseline = status_kb(worker, "VmRSS")
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
            started = time.perf_counter()
            with path.open("rb") as file:
                response = client.post("/deals", files={"deals": (path.name, file, "text/csv")})
            seconds = time.perf_counter() - started
            assert response.json() == {"Status": "OK"}, response.text
            peak = status_kb(worker, "VmHWM")
            server_seconds = float(psql("-c", "SELECT duration FROM deals_dealsupload ORDER BY id DESC LIMIT 1"))

            timing = phases(log_path, len(uploads) + 1)  # waits for the background purge, before \copy runs
            psql("-c", "TRUNCATE bench_copy")
            copy_started = time.perf_counter()
            psql(
                "-c",
                f"\\copy bench_copy (customer, item, total, quantity, date) FROM '{path}' WITH (FORMAT csv, HEADER)",
            )
            copy_seconds = time.perf_counter() - copy_started
            uploads.append(
                {
                    "rows": rows,
                    "mb": path.stat().st_size / 2**20,
                    "seconds": seconds,
                    "server": server_seconds,
                    "copy": copy_seconds,
                    "growth_mb": (peak - baseline) / 1024,
                    "rss_after_mb": status_kb(worker, "VmRSS") / 1024,
                    **timing,
                }
            )

        anon = httpx.Client(base_url=base, timeout=10)
        for _ in range(20):
            anon.get("/deals").raise_for_status()
        timings = []
        for _ in range(500):
            started = time.perf_counter()
            anon.get("/deals").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
        anon.close()
    timings.sort()
    return {"uploads": uploads, "get_p50": statistics.median(timings), "get_p95": timings[int(len(timings) * 0.95)]}


def print_table(results: dict) -> None:
    print(
        "| rows | MB | upload s (HTTP) | rows/s | psql \\copy s | x \\copy | COPY+validate s | top-5 s "
        "| switch s | purge s (after the response) | worker RSS peak growth MB | worker RSS after MB |"
    )
    print("|---:" * 12 + "|")
    for row in results["uploads"]:
        print(
            f"| {row['rows']} | {row['mb']:.1f} | {row['seconds']:.2f} | {row['rows'] / row['seconds']:.0f} "
            f"| {row['copy']:.2f} | {row['seconds'] / row['copy']:.2f} | {row.get('phase_copy', 0):.2f} "
            f"| {row.get('phase_top', 0):.2f} | {row.get('phase_switch', 0):.3f} | {row.get('phase_purge', 0):.2f} "
            f"| {row['growth_mb']:.1f} | {row['rss_after_mb']:.1f} |"
        )
    print(
        f"\nGET /deals warm (500 requests, keep-alive): "
        f"p50 {results['get_p50']:.2f} ms, p95 {results['get_p95']:.2f} ms"
    )
    print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    sys.exit(main())
