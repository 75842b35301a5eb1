"""Every `bash` block of README.md and of the docs pages runs, in order and in one shell, against a live gunicorn
with demo data; every file path the docs and the code point at exists.

The blocks are written for `make run` (localhost:8000); here they point at the test server. `curl` fails on
any HTTP error status, so an example that drifts from the API fails this test.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import grpc
import pytest
from django.core.management import call_command

from tests.conftest import database_url
from tests.grpc_service.fixtures import access_token, make_book
from tests.grpc_service.test_main import Sidecar

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
# The pages in the order of the README's table of subsystems, then any page it does not list.
LINKED_PAGES = [ROOT / link for link in dict.fromkeys(re.findall(r"\]\((docs/[\w.-]+\.md)", README))]
PAGES = [ROOT / "README.md", *LINKED_PAGES, *sorted(set((ROOT / "docs").glob("*.md")) - set(LINKED_PAGES))]
DOCS = "\n".join(page.read_text() for page in PAGES)
# A bash block, and the answer its last command prints when a ```json block follows it directly.
EXAMPLES = re.findall(r"^```bash\n(.*?)^```\n(?:\n?```json\n(.*?)^```)?", DOCS, flags=re.MULTILINE | re.DOTALL)
BASH_BLOCKS = [block for block, _ in EXAMPLES]
# What differs from run to run: ids, timestamps, tokens, URLs holding ids, latencies (and the ids an error's
# `detail` names).
VOLATILE_KEYS = re.compile(r"^(id|.*_id|.*_ids|.*_at|date_joined|access|refresh|url|latency_ms|path_ids)$")
# Each curl's output ends its line, so the last line of a block is its last command's answer.
DOCS_API_KEY = "docs-examples-api-key-0123456789"
PRELUDE = """set -euo pipefail
curl() { command curl --silent --show-error --fail-with-body "$@"; local status=$?; echo; return $status; }
"""


def test_readme_opens_with_the_two_commands():
    head = "\n".join(README.splitlines()[:10])
    assert "make run" in head
    assert "make test" in head


def test_readme_is_short_and_links_every_page():
    assert len(README.splitlines()) <= 250
    assert "<!--" not in README
    assert {page.name for page in LINKED_PAGES} >= {
        "books.md", "events-and-grpc.md", "pets.md", "deals.md", "waste.md", "web-client.md", "operations.md",
        "benchmarks.md",
    }  # fmt: skip
    assert all(page.exists() for page in LINKED_PAGES)


def test_docs_have_runnable_examples():
    assert len(BASH_BLOCKS) >= 5
    assert all("curl" in block or "manage.py" in block for block in BASH_BLOCKS)
    assert sum(1 for _, answer in EXAMPLES if answer) >= 5, "the docs show too few answers"
    for _, answer in EXAMPLES:
        if answer:
            json.loads(answer)  # every shown answer is real JSON


def without_volatile(value: object) -> object:
    """`value` with ids, timestamps and tokens replaced by a placeholder, so two runs compare equal."""
    if isinstance(value, dict):
        return {
            key: "…"
            if VOLATILE_KEYS.match(key)
            else re.sub(r"\d+", "N", item)
            if key == "detail"
            else without_volatile(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [without_volatile(item) for item in value]
    return value


def shown_answer_differences(outputs: dict[int, str]) -> list[str]:
    """Every example whose shown answer is not what its last command printed (ids and timestamps aside)."""
    differences = []
    for number, (block, answer) in enumerate(EXAMPLES, start=1):
        if not answer:
            continue
        printed = [line for line in outputs.get(number, "").splitlines() if line.strip()]
        try:
            live = json.loads(printed[-1]) if printed else None
        except json.JSONDecodeError:
            live = printed[-1]
        if without_volatile(live) != without_volatile(json.loads(answer)):
            differences.append(f"example {number} ({block.strip().splitlines()[-1][:80]}):\n  shown {answer.strip()}"
                               f"\n  live  {printed[-1] if printed else '(nothing)'}")  # fmt: skip
    return differences


SOURCE_FILES = [
    path
    for pattern in ("**/*.py", "**/*.md", "Makefile", "Dockerfile", "docker-compose.yml", "Procfile")
    for path in ROOT.glob(pattern)
    if not {".venv", "node_modules", ".git"} & set(path.relative_to(ROOT).parts)
]


def test_every_docs_path_mentioned_exists():
    mentioned = {
        (source.relative_to(ROOT), match)
        for source in SOURCE_FILES
        for match in re.findall(r"(?<![\w/.])(docs/[\w./-]+\.(?:md|png|svg|jpg))", source.read_text(errors="ignore"))
    }
    assert mentioned, "no docs/ path found at all; is the pattern right?"
    assert [(str(source), path) for source, path in sorted(mentioned) if not (ROOT / path).exists()] == []


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    return {"API_KEY": DOCS_API_KEY}


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300)
def test_every_readme_example_runs(live_gunicorn):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    host = live_gunicorn.removeprefix("http://")
    script = PRELUDE + "\n".join(
        f'echo "::: example {number}" >&2; printf "\\n::: example {number}\\n"\n{block}'
        for number, block in enumerate(BASH_BLOCKS, start=1)
    )
    script = script.replace("http://localhost:8000", live_gunicorn).replace("localhost:8000", host)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "API_KEY": DOCS_API_KEY,
        "PUBLIC_BASE_URL": "http://localhost:8000",
        "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=280, check=False
    )
    ran = re.findall(r"::: example (\d+)", result.stderr)
    assert result.returncode == 0, (
        f"docs example {ran[-1] if ran else '?'} failed:\n{result.stderr[-3000:]}\n{result.stdout[-2000:]}"
    )
    assert len(ran) == len(BASH_BLOCKS)
    parts = re.split(r"^::: example (\d+)\n", result.stdout, flags=re.MULTILINE)
    outputs = {int(number): text for number, text in zip(parts[1::2], parts[2::2], strict=True)}
    differences = shown_answer_differences(outputs)
    assert not differences, "\n".join(differences)


PYTHON_GRPC_BLOCKS = [
    block
    for block in re.findall(r"^```python\n(.*?)^```", DOCS, flags=re.MULTILINE | re.DOTALL)
    if "grpc.insecure_channel" in block
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_the_python_grpc_client_example_runs(broker):
    assert PYTHON_GRPC_BLOCKS, "the docs have no Python gRPC client example"
    for number in range(7):
        make_book(f"Example book {number}")
    sidecar = Sidecar(BOOK_EVENTS_EXCHANGE=broker.topology.exchange, BOOK_EVENTS_QUEUE=broker.topology.queue)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{sidecar.port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
        for block in PYTHON_GRPC_BLOCKS:
            code = block.replace("localhost:50051", f"127.0.0.1:{sidecar.port}")
            python = str(ROOT / ".venv/bin/python")
            env = {**os.environ, "TOKEN": access_token()}
            result = subprocess.run([python, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            assert "Example book 6" in result.stdout
            unauthenticated = subprocess.run(
                [python, "-c", code], cwd=ROOT, env={**env, "TOKEN": "forged"}, capture_output=True, text=True
            )
            assert "UNAUTHENTICATED" in unauthenticated.stderr
    finally:
        assert sidecar.terminate() == 0
