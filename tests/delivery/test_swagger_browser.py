"""Swagger UI in headless Chromium, under its Content-Security-Policy: tags, both Authorize schemes, "Try it out"
on GET /books and GET /pets.

No request may leave localhost: every request of the page is checked (the Swagger assets come from
drf-spectacular-sidecar). A screenshot is saved as bench/artifacts/swagger-ui.png (not committed).
"""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.config.factories import UserFactory
from tests.conftest import bearer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "bench" / "artifacts"
TAGS = ["auth", "books", "authors", "pets", "deals", "waste", "health"]
API_KEY = "browser-test-key"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    return {"API_KEY": API_KEY}


def try_it_out(page, path: str) -> str:
    operation = page.locator(f".opblock-get:has(.opblock-summary-path[data-path='{path}'])").first
    operation.locator(".opblock-summary").first.click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=15000)
    return status.inner_text().strip()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_swagger_ui_authorizes_and_executes_requests(live_gunicorn):
    from playwright.sync_api import sync_playwright

    token = bearer(UserFactory()).removeprefix("Bearer ")
    outside = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.on(
            "request",
            lambda request: (
                urlsplit(request.url).hostname not in {"127.0.0.1", "localhost", None}
                and not request.url.startswith(("data:", "blob:"))
                and outside.append(request.url)
            ),
        )
        csp_violations: list[str] = []
        page.on(
            "console",
            lambda message: "Content Security Policy" in message.text and csp_violations.append(message.text),
        )
        response = page.goto(f"{live_gunicorn}/docs", wait_until="networkidle")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.locator(".opblock-tag").first.wait_for(timeout=15000)

        listed = [tag.get_attribute("data-tag") for tag in page.locator(".opblock-tag").all()]
        assert set(TAGS) <= set(listed), listed

        page.locator(".auth-wrapper .authorize").click()
        for container in page.locator(".modal-ux .auth-container").all():
            text = container.inner_text()
            value = API_KEY if "X-API-KEY" in text else token
            container.locator("input").first.fill(value)
            container.locator("button.authorize").click()
        page.locator(".modal-ux .btn-done").first.click()

        assert try_it_out(page, "/books") == "200"
        assert try_it_out(page, "/pets") == "200"

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "swagger-ui.png"), full_page=False)
        browser.close()
    assert outside == []
    assert csp_violations == []  # the page runs under its Content-Security-Policy
