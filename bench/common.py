"""What every bench script shares: databases, child processes and servers, timing, medians and the table printer.

Each script in bench/ keeps only what it measures. Every bench runs its servers with DEBUG off, warms up, repeats
each row (`--rounds`, default 3) and prints medians; a goal line reads `value / baseline = ratio (goal) met|MISSED`.
"""

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Strong enough for the DEBUG-off start-up guard; never used outside a bench database.
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-use-0123456789abcdef"
RUN_ID = uuid.uuid4().hex[:8]
# Compose and Kubernetes serve with gthread behind a buffering proxy; WEB_WORKER_CLASS=asgi measures make run.
WEB_WORKER_CLASS = os.environ.get("WEB_WORKER_CLASS", "gthread")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def child_env(db: str, **extra: str) -> dict[str, str]:
    """The environment of a Django child process (server, command) working on bench database `db`."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "API_KEY": "bench-api-key-0123456789",
        "DATABASE_URL": database_url(db),
        # Per run: a bench database is recreated, so cache entries of an earlier run must not be served.
        "CACHE_KEY_PREFIX": f"bench-{db}-{RUN_ID}",
        "WEB_WORKER_CLASS": WEB_WORKER_CLASS,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def django_app(urlconf: str):
    """The project's app as config/gunicorn.py serves it (ASGI, or WSGI with WEB_WORKER_CLASS=gthread), with
    `urlconf` as the URLconf: a bench module's gunicorn entry point, so its baseline views exist only there."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.asgi import get_asgi_application
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = urlconf
    return get_asgi_application() if os.environ.get("WEB_WORKER_CLASS", "asgi") == "asgi" else get_wsgi_application()


def create_database(db: str, *, migrate: Sequence[str] = (), reuse: bool = False) -> bool:
    """(Re)create bench database `db` and migrate `migrate` apps (all when empty); False when reused as it was."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and reuse:
            return False
        connection.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{db}"')
    for app in migrate or [None]:
        command = [PYTHON, "manage.py", "migrate", *([app] if app else []), "--no-input", "-v", "0"]
        subprocess.run(command, cwd=ROOT, env=child_env(db), check=True)
    return True


def setup_django(db: str, **extra: str) -> None:
    """Configure Django in this process against bench database `db`."""
    os.environ.update(child_env(db, **extra))
    import django

    django.setup()


class Process:
    """A child process whose output lines are kept (the tail) and handed to `on_line` as they arrive."""

    def __init__(
        self,
        args: Sequence[str],
        env: dict[str, str],
        on_line: Callable[[str, float], None] | None = None,
        name: str = "",
    ) -> None:
        self.name = name or Path(args[0]).name
        self.process = subprocess.Popen(
            list(args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.on_line = on_line
        self.tail: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        for line in self.process.stdout:
            now = time.monotonic()
            self.tail = [*self.tail[-40:], line.rstrip()]
            if self.on_line:
                self.on_line(line, now)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "Process":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001, S110 - not up yet
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def wait_for_http(url: str, timeout: float = 60) -> None:
    import httpx

    wait_for(lambda: httpx.get(url, timeout=1).status_code == 200, url, timeout)


def percentile(values: Iterable[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def median_of(rounds: int, measure: Callable[[], float], warmup: int = 1) -> float:
    """Median of `rounds` calls of `measure` after `warmup` discarded calls."""
    for _ in range(warmup):
        measure()
    return statistics.median(measure() for _ in range(rounds))


def timed(function: Callable, *args: object, **kwargs: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


@dataclass
class Goal:
    """One goal line: `value` against `baseline`, met when the ratio is on the right side of `target`."""

    name: str
    value: float
    baseline: float
    target: float
    unit: str = ""
    higher_is_better: bool = True  # False: the ratio must stay at or below `target` (times, latencies)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

    def row(self) -> list[str]:
        sign = "≥" if self.higher_is_better else "≤"
        return [
            self.name,
            f"{self.value:,.2f} {self.unit}".strip(),
            f"{self.baseline:,.2f} {self.unit}".strip(),
            f"{self.ratio:.2f}×",
            f"{sign} {self.target}×",
            "met" if self.met else "MISSED",
        ]


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]], title: str = "") -> None:
    """A Markdown table, so the output pastes into the docs as it is."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(header)), *(len(row[index]) for row in rows)) for index, header in enumerate(headers)]
    if title:
        print(f"\n### {title}\n")
    print("| " + " | ".join(str(header).ljust(width) for header, width in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in rows:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()


def print_goals(goals: Sequence[Goal], title: str = "Goals") -> bool:
    """Print the goal table; True when every goal is met."""
    print_table(["goal", "value", "baseline", "ratio", "target", "status"], [goal.row() for goal in goals], title)
    return all(goal.met for goal in goals)
