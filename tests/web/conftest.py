"""Fixtures of the browser tests: the built client, one gunicorn serving it, and a guarded Chromium page."""

import fcntl
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import ROOT
from tests.web.browser import CHROMIUM, Browser, guard, watch


@pytest.fixture(scope="session")
def built_client() -> Path:
    """web/dist as `make web` leaves it (a no-op when up to date); one build at a time across xdist workers."""
    with open(Path(tempfile.gettempdir()) / "books-web-client-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(
            ["make", "--no-print-directory", "web"], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
        )
    assert result.returncode == 0, f"`make web` failed:\n{result.stdout}\n{result.stderr}"
    return ROOT / "web" / "dist"


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    # One worker: servers started by tests give each process its own cache namespace (config/settings/test.py), so
    # with two, a write through one worker would not invalidate what the other cached for the same reader.
    return {"WEB_CONCURRENCY": "1"}


@pytest.fixture
def browser(built_client, live_gunicorn, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, so Django would refuse the test's own ORM
    # queries as "async"; they are plain sequential queries here (Django's docs name this case).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        state = Browser(page=None, base=live_gunicorn)
        guard(context, state)
        state.page = context.new_page()
        state.page.set_default_timeout(15000)
        watch(state.page, state)
        yield state
        chromium.close()
        # The test's queries ran while Playwright's loop was running, on connections of that context: close them
        # here, or the test database could not be dropped at the end.
        connections.close_all()
