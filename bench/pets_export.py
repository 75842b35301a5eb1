"""Benchmark `manage.py export_pets`: throughput and peak memory for 10k, 100k and 1M pets.

Seeds a separate database (default `bench_pets`, dropped and re-created) with SQL `generate_series` —
every third pet has no photo, the others one or two — then runs each exporter as a child process writing to
/dev/null and reads its peak RSS from `os.wait4` (the child's own rusage). Compared in the same run:

- `export_pets`            the streaming command (one query, server-side cursor, photo names as an array per row);
- `naive json.dumps`       the obvious version: load every pet with prefetched photos, `json.dumps` it all
                           (only up to --skip-naive-above pets: its memory grows ~7.5 MiB per 1,000 pets);
- `psql COPY json (floor)` PostgreSQL building the same JSON rows itself, streamed by `psql` (no Python).

Usage: .venv/bin/python bench/pets_export.py [--sizes 10000 100000 1000000] [--db bench_pets] [--skip-naive-above N]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")

SEED_SQL = """
TRUNCATE pets_photo, pets_pet;
INSERT INTO pets_pet (id, name, age, type, created_at)
SELECT gen_random_uuid(), 'pet-' || i, i % 101, CASE WHEN i % 2 = 0 THEN 'dog' ELSE 'cat' END,
       timestamptz '2021-05-18 19:10:17+00' - i * interval '1 second'
FROM generate_series(1, {n}) AS i;
INSERT INTO pets_photo (id, file, created_at, pet_id)
SELECT photo_id, 'pets/' || photo_id || '.jpg', created_at + k * interval '1 millisecond', id
FROM (
    SELECT id, created_at, k, gen_random_uuid() AS photo_id
    FROM (SELECT id, created_at, row_number() OVER () AS i FROM pets_pet) AS pets
    CROSS JOIN LATERAL generate_series(1, (i % 3)::int) AS k
) AS photos;
"""

NAIVE = """
import json, sys, django
django.setup()
from pets.selectors import created_at_text, pet_list
from pets.storage import photo_url
pets = [
    {"id": str(p.id), "name": p.name, "age": p.age, "type": p.type,
     "photos": [photo_url(ph.file.name) for ph in p.photos.all()], "created_at": created_at_text(p.created_at)}
    for p in pet_list()
]
sys.stdout.write(json.dumps({"pets": pets}, ensure_ascii=False, indent=2))
"""

PSQL_JSON = (
    "COPY (SELECT json_build_object('id', p.id, 'name', p.name, 'age', p.age, 'type', p.type, 'photos', "
    "COALESCE((SELECT json_agg('http://localhost:8000/media/' || f.file ORDER BY f.created_at, f.id) "
    "FROM pets_photo f WHERE f.pet_id = p.id), '[]'), 'created_at', "
    "to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')) "
    "FROM pets_pet p ORDER BY p.created_at DESC, p.id) TO STDOUT"
)


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def child_env(db: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "API_KEY": "bench",
        "DATABASE_URL": database_url(db),
        "PUBLIC_BASE_URL": "http://localhost:8000",
        "LOG_LEVEL": "WARNING",
    }


def run(command: list[str], env: dict[str, str], stdout_path: str = os.devnull) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process.

    The RSS comes from GNU time, a tiny process that forks the command: measured from this process, a child's
    peak would include the pages it shared with us before `exec`.
    """
    with open(stdout_path, "wb") as out, tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"{command[:3]} failed ({result.returncode}): {result.stderr.decode()[-2000:]}")
        return elapsed, int(report.read().split()[-1]) / 1024  # GNU time reports kilobytes


def count_pets(path: str) -> int:
    """Parse the export in a child process (so this one stays small) and count its pets."""
    script = "import json, sys; print(len(json.load(open(sys.argv[1], encoding='utf-8'))['pets']))"
    return int(subprocess.run([sys.executable, "-c", script, path], capture_output=True, check=True).stdout)


def prepare(db: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{db}"')
        connection.execute(f'CREATE DATABASE "{db}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "pets", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=child_env(db),
        check=True,
    )


def seed(db: str, n: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(database_url(db), autocommit=True) as connection:
        connection.execute(SEED_SQL.format(n=int(n)).encode())
        connection.execute("VACUUM ANALYZE pets_pet")
        connection.execute("VACUUM ANALYZE pets_photo")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--db", default="bench_pets")
    parser.add_argument("--skip-naive-above", type=int, default=100_000, help="skip the naive run for more pets")
    args = parser.parse_args()

    prepare(args.db)
    env = child_env(args.db)
    # The fixed cost of starting Django (imports of every app) is measured on the empty database and
    # subtracted in the "net pets/s" column.
    startup, startup_rss = run([sys.executable, "manage.py", "export_pets"], env)
    rows = [(0, "export_pets, empty database", startup, startup_rss)]
    for n in args.sizes:
        seeded = seed(args.db, n)
        print(f"seeded {n:,} pets in {seeded:.1f}s", file=sys.stderr)
        with tempfile.NamedTemporaryFile(suffix=".json") as check:
            # Once per size, keep the output and check it is valid JSON with every pet in it.
            elapsed, rss = run([sys.executable, "manage.py", "export_pets"], env, check.name)
            exported = count_pets(check.name)
            if exported != n:
                raise RuntimeError(f"export_pets wrote {exported} pets, expected {n}")
        streaming = [("export_pets (streaming)", elapsed, rss)]
        streaming.append(
            ("export_pets --has-photos",) + run([sys.executable, "manage.py", "export_pets", "--has-photos"], env)
        )
        for label, seconds, peak in streaming:
            rows.append((n, label, seconds, peak))
        if n <= args.skip_naive_above:
            rows.append((n, "naive json.dumps (baseline)", *run([sys.executable, "-c", NAIVE], env)))
        psql = ["psql", database_url(args.db), "-X", "-q", "-c", PSQL_JSON]
        rows.append((n, "psql COPY json (floor)", *run(psql, env)))

    print(
        f"\n{'pets':>10} | {'exporter':<28} | {'seconds':>8} | {'pets/s':>9} | {'net pets/s':>10} | "
        f"{'peak RSS MiB':>12}"
    )
    print(f"{'-' * 10}-+-{'-' * 28}-+-{'-' * 8}-+-{'-' * 9}-+-{'-' * 10}-+-{'-' * 12}")
    for n, label, seconds, peak in rows:
        work = seconds if "psql" in label else seconds - startup
        net = f"{n / work:>10,.0f}" if n and work >= 0.5 else f"{'n/a':>10}"  # too short to tell from start-up noise
        print(f"{n:>10,} | {label:<28} | {seconds:>8.2f} | {n / seconds:>9,.0f} | {net} | {peak:>12.1f}")
    print(
        "\npets/s is per pet in the database (`--has-photos` exports two thirds of them); net pets/s leaves out "
        f"the {startup:.2f}s Django start-up measured on the empty database (psql: no start-up to subtract)."
    )


if __name__ == "__main__":
    main()
