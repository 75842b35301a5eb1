"""The web client end to end: headless Chromium (Debian's, driven by Playwright) against gunicorn serving the
built client (web/dist, built by `make web` when its sources changed) and the API over the test database.

Every request of every page is routed through a guard that lets only localhost through and records (and aborts)
anything else, so a CDN, a web font or any other outside request fails the test. Screenshots go to
bench/artifacts/ (not committed); UPDATE_DOCS_SCREENSHOTS=1 also refreshes the two in docs/img/ for the README.
"""

import datetime
import gzip
import json
import re
from urllib.parse import urlsplit

import pytest

from books.models import Author, Book
from books.services import book_rate
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory
from tests.web.browser import (
    ARTIFACTS,
    CHROMIUM,
    FIRST_LOAD_JS_BUDGET,
    api_get,
    assert_clean,
    expect,
    log_in,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]


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
    # The chart and graph libraries belong to the deals and waste pages (issue 17), not to a first visit.
    assert not [path for path in sizes if re.match(r"/app/assets/(chartjs|cytoscape)-", path)], sizes
    total = sum(sizes.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "web-first-load.json").write_text(json.dumps({"gzip_bytes": total, "scripts": sizes}, indent=2))
    assert total <= FIRST_LOAD_JS_BUDGET, f"first load: {total} bytes of gzipped JavaScript: {sizes}"
    # Served compressed and cached for good, as the budget assumes.
    headers = scripts[0].all_headers()
    assert headers.get("content-encoding") == "gzip"
    assert "immutable" in headers.get("cache-control", "")
    assert_clean(browser)
