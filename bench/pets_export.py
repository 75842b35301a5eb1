"""Bench of `manage.py export_pets` against `psql` building the same JSON (`json_build_object` + `json_agg`).

    .venv/bin/python bench/pets_export.py [--sizes 300000,1000000] [--rounds 3] [--db bench_pets]

Creates the database `bench_pets` (dropped first), migrates the pets app and, for each size, seeds it with SQL
`generate_series` (every third pet has no photo, the others one or two). Each exporter runs as a child process
(DEBUG off) writing to /dev/null: one warm-up run, then `--rounds` rounds of both, alternating; medians. Peak RSS
is the child's own, from GNU time. Once per size the command's output is kept and checked (valid JSON, every pet).
The start-up of the command is measured on the empty database first. Prints the goal lines of issue 20.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is bench/; keep the project's root first, like the other benches.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.common import (  # noqa: E402 - after the sys.path fix above
    PYTHON,
    Goal,
    child_env,
    create_database,
    database_url,
    print_goals,
    print_table,
)

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
PUBLIC_BASE_URL = "http://localhost:8000"
# The baseline: PostgreSQL builds each pet's JSON (photo URLs aggregated with json_agg) and psql streams it.
PSQL_JSON = (
    "COPY (SELECT json_build_object('id', p.id, 'name', p.name, 'age', p.age, 'type', p.type, 'photos', "
    f"COALESCE((SELECT json_agg('{PUBLIC_BASE_URL}/media/' || f.file ORDER BY f.created_at, f.id) "
    "FROM pets_photo f WHERE f.pet_id = p.id), '[]'), 'created_at', "
    "to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')) "
    "FROM pets_pet p ORDER BY p.created_at DESC, p.id) TO STDOUT"
)


def run(command: list[str], env: dict[str, str], stdout_path: str = "/dev/null") -> tuple[float, float]:
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
    return int(subprocess.run([PYTHON, "-c", script, path], capture_output=True, check=True).stdout)


def seed(db: str, n: int) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url(db), autocommit=True) as connection:
        connection.execute(SEED_SQL.format(n=int(n)).encode())
        connection.execute("VACUUM ANALYZE pets_pet")
        connection.execute("VACUUM ANALYZE pets_photo")
    return time.perf_counter() - started


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(run[0] for run in runs), statistics.median(run[1] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda text: [int(size) for size in text.split(",")],
                        default=[300_000, 1_000_000])  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="runs of each exporter per size; medians")
    parser.add_argument("--db", default="bench_pets")
    options = parser.parse_args()

    create_database(options.db, migrate=["pets"])
    env = child_env(options.db, PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    export = [PYTHON, "manage.py", "export_pets"]
    psql = ["psql", database_url(options.db), "-X", "-q", "-c", PSQL_JSON]
    run(export, env)  # warm-up (the interpreter's and the OS's caches)
    startup = medians([run(export, env) for _ in range(options.rounds)])
    rows = [["0 (start-up)", "export_pets", f"{startup[0]:.2f}", "", f"{startup[1]:.1f}"]]
    goals = []
    for n in options.sizes:
        print(f"seeded {n:,} pets in {seed(options.db, n):.1f}s", file=sys.stderr)
        with tempfile.NamedTemporaryFile(suffix=".json") as check:
            run(export, env, check.name)  # warm-up, and the check: valid JSON with every pet
            if (exported := count_pets(check.name)) != n:
                raise RuntimeError(f"export_pets wrote {exported} pets, expected {n}")
        run(psql, env)
        command_runs, psql_runs = [], []
        for _ in range(options.rounds):
            command_runs.append(run(export, env))
            psql_runs.append(run(psql, env))
            print(f"{n:,} pets: export_pets {command_runs[-1][0]:.2f}s, psql {psql_runs[-1][0]:.2f}s", file=sys.stderr)
        (command_s, command_rss), (psql_s, psql_rss) = medians(command_runs), medians(psql_runs)
        rows += [
            [f"{n:,}", "export_pets", f"{command_s:.2f}", f"{n / command_s:,.0f}", f"{command_rss:.1f}"],
            [f"{n:,}", "psql COPY json_build_object (baseline)", f"{psql_s:.2f}", f"{n / psql_s:,.0f}",
             f"{psql_rss:.1f}"],
        ]  # fmt: skip
        goals.append(Goal(f"export_pets of {n:,} pets vs psql (s)", command_s, psql_s, 1.2, "s",
                          higher_is_better=False))  # fmt: skip

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nexport_pets vs psql, output to /dev/null, medians of {options.rounds} rounds; load average {load}")
    print_table(["pets", "exporter", "seconds", "pets/s", "peak RSS MiB"], rows, "Export")
    print_goals(goals, "Goals: the export against psql")


if __name__ == "__main__":
    main()
