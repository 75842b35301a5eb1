import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_django(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "API_KEY"}}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.base", DJANGO_READ_DOT_ENV="0", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


REAL_SECRET_KEY = "a-real-and-long-production-secret-key-0123456789abcdef"
REAL_API_KEY = "a-real-random-api-key-4f9c2b"


@pytest.mark.parametrize("debug", ["0", "false", ""])
def test_refuses_to_start_with_the_default_secret_key_when_debug_is_off(debug):
    result = start_django(DEBUG=debug, API_KEY=REAL_API_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is a published example or shorter than 50 characters" in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["change-me-to-a-long-random-string", "dev-only-insecure-secret-key-do-not-use-in-production", "s" * 49],
    ids=[".env.example", "built-in development key", "49 characters"],
)
def test_refuses_published_or_short_secret_keys_when_debug_is_off(secret_key):
    result = start_django(DEBUG="0", SECRET_KEY=secret_key, API_KEY=REAL_API_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is a published example" in result.stderr


def test_refuses_the_example_api_key_when_debug_is_off():
    result = start_django(DEBUG="0", SECRET_KEY=REAL_SECRET_KEY, API_KEY="demo-api-key")
    assert result.returncode != 0
    assert "API_KEY is empty or a published example" in result.stderr


def test_starts_with_a_real_secret_key_and_debug_off():
    result = start_django(DEBUG="0", SECRET_KEY=REAL_SECRET_KEY, API_KEY=REAL_API_KEY)
    assert result.returncode == 0, result.stderr


def test_make_env_writes_fresh_secrets_that_pass_the_guard(tmp_path):
    for name in ("Makefile", ".env.example"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    subprocess.run(["make", "--no-print-directory", ".env"], cwd=tmp_path, check=True, capture_output=True)
    written = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines() if "=" in line)
    result = start_django(DEBUG="0", SECRET_KEY=written["SECRET_KEY"], API_KEY=written["API_KEY"])
    assert result.returncode == 0, result.stderr
    (tmp_path / ".env").unlink()
    subprocess.run(["make", "--no-print-directory", ".env"], cwd=tmp_path, check=True, capture_output=True)
    again = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines() if "=" in line)
    assert again["SECRET_KEY"] != written["SECRET_KEY"]
    assert again["API_KEY"] != written["API_KEY"]


def test_starts_with_the_default_secret_key_in_debug():
    result = start_django(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_refuses_to_start_without_an_api_key_when_debug_is_off():
    result = start_django(DEBUG="0", SECRET_KEY=REAL_SECRET_KEY, API_KEY="")
    assert result.returncode != 0
    assert "API_KEY is empty or a published example" in result.stderr


def test_a_test_process_leaves_no_temporary_folders(tmp_path):
    """The first process of a run makes the media/static folders under one root and removes it at exit."""
    env = {key: value for key, value in os.environ.items() if key != "TEST_TMP_ROOT"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "TMPDIR": str(tmp_path)}
    code = "import django; django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip().startswith(str(tmp_path))
    assert list(tmp_path.iterdir()) == []
