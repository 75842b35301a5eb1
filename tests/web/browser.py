"""Helpers of the browser tests: Debian's Chromium driven by Playwright, a guard that lets only localhost through
(and records anything else), the page-error and CSP watch, screenshots, and a few steps every test takes."""

import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.config.factories import DEFAULT_PASSWORD
from tests.conftest import ROOT, bearer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "bench" / "artifacts"
DOCS_IMAGES = ROOT / "docs" / "img"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
FIRST_LOAD_JS_BUDGET = 250 * 1024  # gzipped bytes (issue 16)


@dataclass
class Browser:
    page: object
    base: str
    outside: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def new_page(self, viewport: dict | None = None):
        """Another tab of a fresh browser context (no session), with the same guards."""
        context = self.page.context.browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        guard(context, self)
        page = context.new_page()
        watch(page, self)
        page.set_default_timeout(15000)
        return page


def guard(context, browser: Browser) -> None:
    def route(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            browser.outside.append(url)
            route.abort()

    context.route("**/*", route)


def watch(page, browser: Browser) -> None:
    page.on("pageerror", lambda error: browser.problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and browser.problems.append(message.text),
    )


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def log_in(page, username: str, password: str = DEFAULT_PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def api_get(base: str, path: str, user) -> tuple[int, dict | None]:
    request = urllib.request.Request(base + path, headers={"Authorization": bearer(user)})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local test server
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def screenshot(page, name: str, *, docs_height: int | None = None, docs_part=None) -> None:
    """bench/artifacts/<name>.png; with UPDATE_DOCS_SCREENSHOTS=1 also docs/img/<name>.jpg for the docs: the top
    `docs_height` pixels of the page, or the element `docs_part` (a locator)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") != "1":
        return
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    target = str(DOCS_IMAGES / f"{name}.jpg")
    if docs_part is not None:
        docs_part.screenshot(path=target, type="jpeg", quality=75)
    elif docs_height:
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": docs_height}
        page.screenshot(path=target, type="jpeg", quality=75, clip=clip)


def assert_clean(browser: Browser) -> None:
    assert browser.outside == [], f"requests left localhost: {browser.outside}"
    assert browser.problems == [], browser.problems
