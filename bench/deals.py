"""Bench of the deals upload: `POST /deals` through gunicorn vs `psql \\copy` of the same file.

    .venv/bin/python bench/deals.py [--sizes 10000,100000,1000000] [--rounds 3] [--db bench_deals]

Creates the database `bench_deals` (dropped first), migrates it and starts gunicorn (config/gunicorn.py, DEBUG off,
one worker on a free loopback port). For each generated file (~500 customers, 30 gems): one upload to warm up,
then `--rounds` rounds of an upload with a JWT (each replaces the dataset of the round before, whose purge runs
after the response and is waited for) followed by `psql -c "\\copy ..."` of the same file into an equivalent
table (same column types, no key); a CHECKPOINT precedes each of them. Worker memory from /proc/<worker>/status
(VmHWM reset through clear_refs before each upload). Then GET /deals warm latency. Prints the medians and the goal
line: the upload at most 1.5x \\copy.
"""

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is bench/, where this very file would shadow the `deals` app.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import (  # noqa: E402 - after the sys.path fix above
    PYTHON,
    Goal,
    Process,
    child_env,
    create_database,
    database_url,
    free_port,
    percentile,
    print_goals,
    print_table,
    timed,
    wait_for,
    wait_for_http,
)

GEMS = [f"Камень-{n:02d}" for n in range(30)]
EQUIVALENT_TABLE = """
DROP TABLE IF EXISTS bench_copy;
CREATE TABLE bench_copy (
    customer text NOT NULL, item text NOT NULL, total numeric(14, 2) NOT NULL,
    quantity integer NOT NULL, date timestamptz NOT NULL
)"""
LOADED = re.compile(r"deals dataset \d+ loaded rows=\d+ copy=([\d.]+)s top=([\d.]+)s switch=([\d.]+)s")
PURGED = re.compile(r"deals datasets purged .* purge=([\d.]+)s")


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


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def worker_pid(master: int) -> int:
    children: list[str] = []

    def started() -> bool:
        children[:] = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return bool(children)

    wait_for(started, "a gunicorn worker", 20)
    return int(children[0])


class ServerLog:
    """The phases the upload service logs (copy, top-5, switch) and the purges that follow, as they arrive."""

    def __init__(self) -> None:
        self.loads: list[tuple[float, float, float]] = []
        self.purges: list[float] = []

    def on_line(self, line: str, _: float) -> None:
        if loaded := LOADED.search(line):
            self.loads.append(tuple(float(value) for value in loaded.groups()))
        elif purged := PURGED.search(line):
            self.purges.append(float(purged.group(1)))


class Uploader:
    def __init__(self, base: str, worker: int, log: ServerLog, db: str) -> None:
        import httpx

        self.client = httpx.Client(base_url=base, timeout=600)
        self.worker, self.log, self.db = worker, log, db
        credentials = {"username": "bench", "password": "bench-password-123"}
        self.client.post("/auth/register", json=credentials).raise_for_status()
        token = self.client.post("/auth/token", json=credentials).json()["access"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def upload(self, path: Path) -> dict:
        """One upload; returns when its purge (of the dataset it replaced) is done too, so it cannot overlap \\copy."""
        loads, purges = len(self.log.loads), len(self.log.purges)
        before = status_kb(self.worker, "VmRSS")
        Path(f"/proc/{self.worker}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        checkpoint(self.db)
        with path.open("rb") as file:
            seconds, response = timed(self.client.post, "/deals", files={"deals": (path.name, file, "text/csv")})
        assert response.json() == {"Status": "OK"}, response.text
        peak = status_kb(self.worker, "VmHWM")
        wait_for(lambda: len(self.log.loads) > loads, "the upload's log line", 30)
        replaced = loads > 0  # every upload but the very first replaces a dataset, whose purge follows
        wait_for(lambda: not replaced or len(self.log.purges) > purges, "the purge", 120)
        copy, top, switch = self.log.loads[-1]
        return {
            "upload": seconds,
            "copy phase": copy,
            "top-5": top,
            "switch": switch,
            "purge": self.log.purges[-1] if replaced else 0.0,
            "RSS growth MB": (peak - before) / 1024,
            "RSS after MB": status_kb(self.worker, "VmRSS") / 1024,
        }

    def close(self) -> None:
        self.client.close()


def checkpoint(db: str) -> None:
    """Start a measured load with no WAL pending: else a checkpoint requested by the WAL volume of earlier loads
    (max_wal_size) lands in one load or the other at random."""
    subprocess.run(["psql", database_url(db), "-X", "-q", "-c", "CHECKPOINT"], check=True)


def psql_copy(db: str, path: Path) -> float:
    psql = ["psql", database_url(db), "-X", "-q"]
    subprocess.run([*psql, "-c", "TRUNCATE bench_copy"], check=True)
    checkpoint(db)
    copy = f"\\copy bench_copy (customer, item, total, quantity, date) FROM '{path}' WITH (FORMAT csv, HEADER)"
    seconds, _ = timed(subprocess.run, [*psql, "-c", copy], check=True)
    return seconds


def get_latencies(base: str, requests: int) -> list[float]:
    import httpx

    with httpx.Client(base_url=base, timeout=10) as anonymous:
        for _ in range(20):
            anonymous.get("/deals").raise_for_status()
        timings = []
        for _ in range(requests):
            seconds, response = timed(anonymous.get, "/deals")
            response.raise_for_status()
            timings.append(seconds * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda text: [int(size) for size in text.split(",")],
                        default=[10_000, 100_000, 1_000_000])  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="measured uploads (and \\copy) per size; medians")
    parser.add_argument("--requests", type=int, default=500, help="GET /deals requests for the latency")
    parser.add_argument("--db", default="bench_deals")
    options = parser.parse_args()

    create_database(options.db)
    subprocess.run(["psql", database_url(options.db), "-X", "-q", "-c", EQUIVALENT_TABLE], check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_env(
        options.db, WEB_CONCURRENCY="1", WEB_TIMEOUT="600", WEB_PORT=str(port), AUTH_THROTTLE_RATE="1000/min",
        LOG_LEVEL="INFO",  # the upload service logs its phases at INFO
    )  # fmt: skip
    log = ServerLog()
    results: dict[int, dict[str, float]] = {}
    server = [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "-b", f"127.0.0.1:{port}"]
    with tempfile.TemporaryDirectory(prefix="bench-deals-") as tmp, Process(server, env, log.on_line) as process:
        rng = random.Random(7)
        files = {rows: Path(tmp) / f"deals_{rows}.csv" for rows in options.sizes}
        for rows, path in files.items():
            generate(path, rows, rng)
        try:
            wait_for_http(f"{base}/health")
        except SystemExit:
            print("\n".join(process.tail), file=sys.stderr)
            raise
        uploader = Uploader(base, worker_pid(process.pid), log, options.db)
        for rows, path in files.items():
            uploader.upload(path)  # warm-up: imports, connection, plans; and a dataset of this size to replace
            psql_copy(options.db, path)
            rounds = []
            for _ in range(options.rounds):
                rounds.append(uploader.upload(path) | {"psql": psql_copy(options.db, path)})
                print(f"{rows} rows: upload {rounds[-1]['upload']:.2f}s, \\copy {rounds[-1]['psql']:.2f}s",
                      file=sys.stderr)  # fmt: skip
            results[rows] = {key: statistics.median(row[key] for row in rounds) for key in rounds[0]}
            results[rows]["MB"] = path.stat().st_size / 2**20
        uploader.close()
        latencies = get_latencies(base, options.requests)

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nPOST /deals vs psql \\copy, gunicorn x1 worker, medians of {options.rounds} rounds; load average {load}")
    print_table(
        ["rows", "MB", "upload s", "rows/s", "\\copy s", "x \\copy", "receive+validate+COPY s", "top-5 s", "switch s",
         "purge s (after the response)", "worker RSS peak growth MB", "worker RSS after MB"],
        [[f"{rows:,}", f"{r['MB']:.1f}", f"{r['upload']:.2f}", f"{rows / r['upload']:,.0f}", f"{r['psql']:.2f}",
          f"{r['upload'] / r['psql']:.2f}", f"{r['copy phase']:.2f}", f"{r['top-5']:.2f}", f"{r['switch']:.3f}",
          f"{r['purge']:.2f}", f"{r['RSS growth MB']:.1f}", f"{r['RSS after MB']:.1f}"]
         for rows, r in results.items()],
        "Uploads",
    )  # fmt: skip
    print(f"\nGET /deals warm ({options.requests} requests, keep-alive): p50 {percentile(latencies, 0.5):.2f} ms, "
          f"p95 {percentile(latencies, 0.95):.2f} ms")  # fmt: skip
    largest = max(results)
    print_goals(
        [Goal(f"POST /deals of {largest:,} rows vs psql \\copy (s)", results[largest]["upload"],
              results[largest]["psql"], 1.5, "s", higher_is_better=False)],
        "Goals: the upload against psql \\copy",
    )  # fmt: skip


if __name__ == "__main__":
    main()
