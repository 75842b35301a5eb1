"""Query counts are constant in the page size (an N+1 fails here). `forced_client` skips JWT authentication; the
JWT reads of books and authors need no user query either (`test_jwt_reads_need_no_user_query`)."""

import pytest

from books.models import OutboxEvent
from books.services import book_rate
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    """60 books, each with 2 of 10 authors; a few rated."""
    authors = AuthorFactory.create_batch(10)
    books = [BookFactory(authors=[authors[i % 10], authors[(i + 3) % 10]]) for i in range(60)]
    rater = UserFactory()
    for book in books[:20]:
        book_rate(book_id=book.pk, user=rater, score=1 + book.pk % 5)
    return {"authors": authors, "books": books}


@pytest.mark.parametrize("limit", [1, 50])
@pytest.mark.parametrize("query", ["", "&ordering=-rating", "&search=author", "&published_after=2000-01-01"])
def test_book_list_is_two_queries_then_cached(forced_client, django_assert_num_queries, shelf, limit, query):
    with django_assert_num_queries(2):  # count, page with its authors
        response = forced_client.get(f"/books?limit={limit}{query}")
    assert len(response.json()["items"]) == limit
    assert all(item["authors"] for item in response.json()["items"])
    with django_assert_num_queries(0):
        assert forced_client.get(f"/books?limit={limit}{query}").json() == response.json()


@pytest.mark.parametrize("limit", [1, 50])
def test_book_list_beyond_the_cached_pages_is_two_queries(
    forced_client, django_assert_num_queries, shelf, limit, settings
):
    settings.BOOKS_CACHE_LIST_MAX_ROWS = 0
    for _ in range(2):
        with django_assert_num_queries(2):
            forced_client.get(f"/books?limit={limit}&offset=5")


@pytest.mark.parametrize("authors_count", [1, 10])
def test_book_detail_is_two_queries_then_none(forced_client, django_assert_num_queries, authors_count):
    book = BookFactory(authors=AuthorFactory.create_batch(authors_count))
    book_rate(book_id=book.pk, user=forced_client.user, score=3)
    with django_assert_num_queries(2):  # book with its authors, my_rating
        response = forced_client.get(f"/books/{book.pk}")
    assert len(response.json()["authors"]) == authors_count
    assert response.json()["my_rating"] == 3
    with django_assert_num_queries(0):  # both cached in the book's scope
        assert forced_client.get(f"/books/{book.pk}").json() == response.json()


@pytest.mark.parametrize("books_count", [1, 50])
def test_author_detail_is_one_query_then_none(forced_client, django_assert_num_queries, books_count):
    author = AuthorFactory()
    for _ in range(books_count):
        BookFactory(authors=[author, AuthorFactory()])
    with django_assert_num_queries(1):  # author with books_count and top books as one JSON array
        response = forced_client.get(f"/authors/{author.pk}")
    assert response.json()["books_count"] == books_count
    assert len(response.json()["top_books"]) == min(books_count, 5)
    with django_assert_num_queries(0):
        forced_client.get(f"/authors/{author.pk}")


@pytest.mark.parametrize("limit", [1, 50])
def test_author_list_is_two_queries(forced_client, django_assert_num_queries, shelf, limit):
    AuthorFactory.create_batch(50)
    with django_assert_num_queries(2):  # count, page with books_count
        response = forced_client.get(f"/authors?limit={limit}")
    assert len(response.json()["items"]) == limit


@pytest.mark.parametrize("path", ["/books?limit=50&search=author", "/authors?limit=50"])
def test_jwt_reads_need_no_user_query(auth_client, django_assert_num_queries, shelf, path):
    with django_assert_num_queries(2):  # count, page: the user comes from the token's claims
        assert auth_client.get(path).status_code == 200


def test_jwt_writes_still_load_the_user(auth_client, django_assert_num_queries, shelf):
    auth_client.user.delete()
    assert auth_client.get("/books?limit=1").status_code == 200  # a read trusts the token until it expires
    response = auth_client.put(f"/books/{shelf['books'][0].pk}/rating", {"score": 5}, format="json")
    assert response.status_code == 401
    assert auth_client.patch(f"/books/{shelf['books'][0].pk}", {"title": "T"}, format="json").status_code == 401


@pytest.mark.parametrize("authors_count", [1, 10])
def test_book_create_is_two_statements(auth_client, django_assert_num_queries, shelf, authors_count):
    """The user, then one statement (authors locked FOR KEY SHARE, book, author links, outbox row with its NOTIFY;
    no BEGIN/COMMIT): the answer and the event payload are what it wrote, equal to GET /books/{id}."""
    author_ids = [author.pk for author in shelf["authors"][:authors_count]]
    body = {"title": "New", "published_on": "2001-01-01", "author_ids": author_ids}
    with django_assert_num_queries(2) as captured:
        response = auth_client.post("/books", body, format="json")
    assert response.status_code == 201, response.content
    assert "pg_notify" in captured.captured_queries[-1]["sql"]
    book_id = response.json()["id"]
    assert response.json() == {**auth_client.get(f"/books/{book_id}").json(), "my_rating": None}
    event = OutboxEvent.objects.get(aggregate_id=book_id)
    assert event.payload == {key: value for key, value in response.json().items() if key != "my_rating"}


def test_jwt_writes_refuse_an_inactive_user(auth_client, shelf):
    type(auth_client.user).objects.filter(pk=auth_client.user.pk).update(is_active=False)
    response = auth_client.patch(f"/books/{shelf['books'][0].pk}", {"title": "T"}, format="json")
    assert response.status_code == 401
    assert "inactive" in response.json()["detail"]
