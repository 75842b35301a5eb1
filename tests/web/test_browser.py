"""The web client end to end: headless Chromium (Debian's, driven by Playwright) against gunicorn serving the
built client (web/dist, built by `make web` when its sources changed) and the API over the test database.

Every request of every page is routed through a guard that lets only localhost through and records (and aborts)
anything else, so a CDN, a web font or any other outside request fails the test. Screenshots go to
bench/artifacts/ (not committed); UPDATE_DOCS_SCREENSHOTS=1 also refreshes the two in docs/img/ for the README.
"""

import datetime
import fcntl
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections

from books.models import Author, Book
from books.services import book_rate
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import DEFAULT_PASSWORD, UserFactory
from tests.conftest import ROOT, bearer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "bench" / "artifacts"
DOCS_IMAGES = ROOT / "docs" / "img"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
FIRST_LOAD_JS_BUDGET = 250 * 1024  # gzipped bytes (issue 16)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]


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


def screenshot(page, name: str, *, docs_height: int | None = None) -> None:
    """bench/artifacts/<name>.png; with `docs_height` and UPDATE_DOCS_SCREENSHOTS=1 also docs/img/<name>.jpg."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if docs_height and os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": docs_height}
        page.screenshot(path=str(DOCS_IMAGES / f"{name}.jpg"), type="jpeg", quality=75, clip=clip)


def assert_clean(browser: Browser) -> None:
    assert browser.outside == [], f"requests left localhost: {browser.outside}"
    assert browser.problems == [], browser.problems


@pytest.fixture
def library():
    """A reader, a shelf of 28 books (3 pages of 10), and ratings by others on one of them."""
    reader = UserFactory(username="reader")
    le_guin = AuthorFactory(name="Ursula K. Le Guin", bio="Wrote Earthsea and the Hainish Cycle.")
    earthsea = BookFactory(title="A Wizard of Earthsea", published_on=datetime.date(1968, 11, 1), authors=[le_guin])
    left_hand = BookFactory(
        title="The Left Hand of Darkness", published_on=datetime.date(1969, 3, 1), authors=[le_guin]
    )
    dispossessed = BookFactory(title="The Dispossessed", published_on=datetime.date(1974, 5, 1), authors=[le_guin])
    filler = AuthorFactory(name="Filler Writer")
    for number in range(25):
        BookFactory(
            title=f"Filler volume {number + 1:02d}",
            published_on=datetime.date(2001, 1, 1) + datetime.timedelta(days=number),
            authors=[filler],
        )
    for user, score in ((UserFactory(), 4), (UserFactory(), 2)):
        book_rate(book_id=earthsea.pk, user=user, score=score)
    book_rate(book_id=left_hand.pk, user=UserFactory(), score=5)
    book_rate(book_id=dispossessed.pk, user=UserFactory(), score=3)
    return {"reader": reader, "le_guin": le_guin, "earthsea": earthsea, "left_hand": left_hand}


def test_a_reader_logs_in_searches_pages_rates_and_follows_an_author(browser, library, live_gunicorn):
    page, earthsea = browser.page, library["earthsea"]

    page.goto(browser.url("/"))  # the server sends / to /app/, the client sends a stranger to its login page
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.url.endswith("/app/login?redirect=/books")
    log_in(page, "reader")
    expect(page).to_have_url(re.compile(r"/app/books$"))
    status = page.get_by_role("status").filter(has_text="Showing")
    expect(status).to_have_text("Showing 1–20 of 28 books.")
    screenshot(page, "books-list", docs_height=700)

    # Pages: a smaller page size, next, a numbered page, and back again through the browser's history.
    page.get_by_label("Books per page").select_option("10")
    expect(status).to_have_text("Showing 1–10 of 28 books.")
    assert "limit=10" in page.url
    page.get_by_role("link", name="Next page").click()
    expect(status).to_have_text("Showing 11–20 of 28 books.")
    page.get_by_role("link", name="Page 3").click()
    expect(status).to_have_text("Showing 21–28 of 28 books.")
    assert "page=3" in page.url
    page.go_back()
    expect(status).to_have_text("Showing 11–20 of 28 books.")

    # Ordering and search (debounced; a new search starts again at page 1).
    page.get_by_label("Sort by").select_option(label="Best rated first")
    expect(page.locator(".cards h2").first).to_have_text("The Left Hand of Darkness")
    page.get_by_label("Search").fill("earthsea")
    expect(status).to_have_text("Showing 1–1 of 1 book.")
    assert "search=earthsea" in page.url
    assert "page=" not in page.url

    page.get_by_role("link", name="A Wizard of Earthsea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A Wizard of Earthsea")
    expect(page.get_by_role("link", name="Ursula K. Le Guin")).to_be_visible()
    rating = page.get_by_test_id("rating")
    expect(rating).to_have_text("3.00 out of 5 from 2 ratings")

    # Your score: a click sets it, the arrow keys change it (a radio group); the mean comes from the answer.
    score = page.get_by_role("group", name="Your score")
    score.get_by_role("radio", name="5 stars").check()
    expect(rating).to_have_text("3.67 out of 5 from 3 ratings")
    page.keyboard.press("ArrowLeft")
    expect(score.get_by_role("radio", name="4 stars")).to_be_checked()
    expect(page.get_by_text("Your score is 4 stars.")).to_be_visible()
    expect(rating).to_have_text("3.33 out of 5 from 3 ratings")
    assert api_get(live_gunicorn, f"/books/{earthsea.pk}", library["reader"])[1]["my_rating"] == 4
    screenshot(page, "book-page", docs_height=460)

    page.get_by_role("button", name="Withdraw my score").click()
    expect(page.get_by_text("Your score is withdrawn.")).to_be_visible()
    expect(rating).to_have_text("3.00 out of 5 from 2 ratings")
    expect(score.get_by_role("radio", name="4 stars")).not_to_be_checked()
    assert api_get(live_gunicorn, f"/books/{earthsea.pk}", library["reader"])[1]["my_rating"] is None
    assert api_get(live_gunicorn, f"/books/{earthsea.pk}/rating", library["reader"])[0] == 404

    # The author's page lists their top books (best rated first), each a link to the book.
    page.get_by_role("link", name="Ursula K. Le Guin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ursula K. Le Guin")
    expect(page.get_by_text("Wrote Earthsea and the Hainish Cycle.")).to_be_visible()
    expect(page.get_by_text("3 books")).to_be_visible()
    top = page.get_by_role("list", name="Top books")
    expect(top.get_by_role("heading")).to_have_text(
        ["The Left Hand of Darkness", "A Wizard of Earthsea", "The Dispossessed"]  # equal means: more votes first
    )
    top.get_by_role("link", name="The Left Hand of Darkness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Left Hand of Darkness")
    assert page.url.endswith(f"/app/books/{library['left_hand'].pk}")
    assert_clean(browser)


def test_a_librarian_creates_edits_and_deletes_books_and_authors(browser, library):
    page = browser.page
    solo = AuthorFactory(name="Solo Writer")
    only_mine = BookFactory(title="Only Mine", published_on=datetime.date(1990, 1, 1), authors=[solo])

    page.goto(browser.url("/app/login"))
    log_in(page, "reader")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New book")

    # The API's field errors appear beside their fields.
    page.get_by_label("Publication date").fill("2999-01-01")
    page.get_by_role("button", name="Create book").click()
    expect(page.locator("#book-title-error")).to_have_text("This field may not be blank.")
    expect(page.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#book-published-error")).to_contain_text("in the future")
    expect(page.locator("#book-authors-error")).to_have_text("This list may not be empty.")

    page.get_by_label("Title").fill("The Lathe of Heaven")
    page.get_by_label("Publication date").fill("1971-10-01")
    authors = page.get_by_role("combobox", name="Authors")
    authors.fill("le gu")
    page.get_by_role("option", name="Ursula K. Le Guin").click()
    expect(page.get_by_role("button", name="Remove Ursula K. Le Guin")).to_be_visible()
    page.get_by_role("button", name="Create book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Lathe of Heaven")
    book = Book.objects.get(title="The Lathe of Heaven")
    assert [author.name for author in book.authors.all()] == ["Ursula K. Le Guin"]
    assert book.published_on == datetime.date(1971, 10, 1)

    # Edit: a new title, and a second author chosen with the keyboard alone.
    page.get_by_role("link", name="Edit book").click()
    expect(page.get_by_label("Title")).to_have_value("The Lathe of Heaven")
    page.get_by_label("Title").fill("The Lathe of Heaven (revised)")
    authors.fill("solo")
    expect(page.get_by_role("option")).to_have_text(["Solo Writer"])
    expect(authors).to_have_attribute("aria-activedescendant", re.compile(r"-0$"))
    authors.press("Enter")
    page.get_by_role("button", name="Save book").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Lathe of Heaven (revised)")
    expect(page.locator(".byline").get_by_role("link")).to_have_text(["Solo Writer", "Ursula K. Le Guin"])  # by name
    book.refresh_from_db()
    assert book.title == "The Lathe of Heaven (revised)"

    page.get_by_role("button", name="Delete book").click()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_role("status").filter(has_text="Deleted")).to_have_text(
        "Deleted “The Lathe of Heaven (revised)”."
    )
    assert not Book.objects.filter(pk=book.pk).exists()

    # The only author of a book cannot be deleted: the 409 is told in words, with the books to deal with first.
    page.goto(browser.url(f"/app/authors/{solo.pk}"))
    page.get_by_role("button", name="Delete author").click()
    page.get_by_role("button", name="Yes, delete").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "Solo Writer cannot be deleted: they are the only author of 1 book. "
        "Delete those books or give them another author first."
    )
    alert.get_by_role("link", name="Only Mine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Only Mine")
    assert page.url.endswith(f"/app/books/{only_mine.pk}")
    assert Author.objects.filter(pk=solo.pk).exists()

    # Authors: create, edit, delete (no books: allowed).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add author").click()
    page.get_by_role("button", name="Create author").click()
    expect(page.locator("#author-name-error")).to_have_text("This field may not be blank.")
    page.get_by_label("Name").fill("Octavia E. Butler")
    page.get_by_label("Biography").fill("Kindred, Parable of the Sower.")
    page.get_by_role("button", name="Create author").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Octavia E. Butler")
    page.get_by_role("link", name="Edit author").click()
    page.get_by_label("Biography").fill("Kindred, Parable of the Sower, Xenogenesis.")
    page.get_by_role("button", name="Save author").click()
    expect(page.get_by_text("Kindred, Parable of the Sower, Xenogenesis.")).to_be_visible()
    page.get_by_role("button", name="Delete author").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_role("status").filter(has_text="Deleted")).to_have_text("Deleted Octavia E. Butler.")
    assert not Author.objects.filter(name="Octavia E. Butler").exists()
    assert_clean(browser)


def test_deep_links_reloads_and_an_ended_session(browser, library):
    page, earthsea, le_guin = browser.page, library["earthsea"], library["le_guin"]

    # A deep link before logging in: the login page brings the user back to it.
    page.goto(browser.url(f"/app/authors/{le_guin.pk}"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, "reader")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ursula K. Le Guin")
    assert page.url.endswith(f"/app/authors/{le_guin.pk}")

    # A reload keeps the session (the refresh token in sessionStorage) and the page; so does a filtered list.
    page.goto(browser.url(f"/app/books/{earthsea.pk}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("A Wizard of Earthsea")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("A Wizard of Earthsea")
    page.goto(browser.url(f"/app/books?search=filler&author={le_guin.pk}"))
    expect(page.get_by_text("No books match these filters.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Ursula K. Le Guin")).to_be_visible()  # the filter, named
    page.goto(browser.url("/app/books?search=filler&limit=10&page=2"))
    expect(page.get_by_role("status").filter(has_text="Showing")).to_have_text("Showing 11–20 of 25 books.")
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Showing")).to_have_text("Showing 11–20 of 25 books.")
    expect(page.get_by_label("Search")).to_have_value("filler")
    expect(page.get_by_label("Books per page")).to_have_value("10")

    # A 401 (a token the server refuses) is answered by one silent refresh; the page never notices.
    refreshes = []
    page.on("request", lambda request: request.url.endswith("/auth/token/refresh") and refreshes.append(request.url))
    spoiled = []

    def spoil_first(route) -> None:
        if spoiled:
            route.fallback()
            return
        spoiled.append(route.request.url)
        route.fallback(headers={**route.request.headers, "authorization": "Bearer not-a-valid-token"})

    page.route(re.compile(r"/books\?"), spoil_first)
    page.get_by_label("Search").fill("volume 2")
    expect(page.get_by_role("status").filter(has_text="Showing")).to_have_text("Showing 1–6 of 6 books.")
    assert len(spoiled) == 1
    assert len(refreshes) == 1

    # A refresh token the server refuses ends the session: log in again, and come back to the same page.
    page.evaluate("sessionStorage.setItem('books.refresh', 'spent-or-forged')")
    page.goto(browser.url(f"/app/books/{earthsea.pk}"))
    expect(page.get_by_text("Your session has ended. Log in again to continue.")).to_be_visible()
    log_in(page, "reader")
    expect(page.get_by_role("heading", level=1)).to_have_text("A Wizard of Earthsea")

    # Logging out forgets the session; an unknown page of the client is the client's own "not found".
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('books.refresh')") is None
    page.goto(browser.url("/app/no/such/page"))
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_clean(browser)


def test_the_client_works_at_360_pixels_wide(browser, library):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(browser.url("/app/login"))
    log_in(page, "reader")
    expect(page.get_by_role("status").filter(has_text="Showing")).to_be_visible()
    for path in ("/app/books", f"/app/books/{library['earthsea'].pk}", f"/app/authors/{library['le_guin'].pk}"):
        page.goto(browser.url(path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways at 360 px ({width} px wide)"
    page.get_by_role("link", name="A Wizard of Earthsea").click()
    page.get_by_role("radio", name="3 stars").focus()
    page.keyboard.press("Space")
    expect(page.get_by_text("Your score is 3 stars.")).to_be_visible()
    screenshot(page, "book-page-360")
    assert_clean(browser)


def test_first_load_javascript_is_within_budget(browser, library, live_gunicorn):
    """Every script the books page loads on a first visit, gzipped, is at most 250 kB (issue 16)."""
    page = browser.page
    page.goto(browser.url("/app/login"))
    log_in(page, "reader")
    expect(page.get_by_role("status").filter(has_text="Showing")).to_be_visible()

    fresh = browser.new_page()
    refresh = page.evaluate("sessionStorage.getItem('books.refresh')")
    fresh.context.add_init_script(f"sessionStorage.setItem('books.refresh', {json.dumps(refresh)})")
    scripts = []
    fresh.on("response", lambda response: urlsplit(response.url).path.endswith(".js") and scripts.append(response))
    fresh.goto(browser.url("/app/books"))
    expect(fresh.get_by_role("status").filter(has_text="Showing")).to_be_visible()
    fresh.wait_for_load_state("networkidle")

    sizes = {urlsplit(response.url).path: len(gzip.compress(response.body(), 9)) for response in scripts}
    assert any(path.startswith("/app/assets/index-") for path in sizes), sizes
    assert all(path.startswith("/app/assets/") for path in sizes), sizes
    total = sum(sizes.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "web-first-load.json").write_text(json.dumps({"gzip_bytes": total, "scripts": sizes}, indent=2))
    assert total <= FIRST_LOAD_JS_BUDGET, f"first load: {total} bytes of gzipped JavaScript: {sizes}"
    # Served compressed and cached for good, as the budget assumes.
    headers = scripts[0].all_headers()
    assert headers.get("content-encoding") == "gzip"
    assert "immutable" in headers.get("cache-control", "")
    assert_clean(browser)
