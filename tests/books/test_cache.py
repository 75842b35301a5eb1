"""The shared cache: a read after a write never shows old data, my_rating stays per user, Redis down is a miss."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from books.services import book_rate, book_rating_withdraw
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory
from tests.conftest import bearer

# Real commits: cache versions are bumped in `transaction.on_commit`, which a test wrapped in a transaction never runs.
pytestmark = pytest.mark.django_db(transaction=True)


def test_detail_is_cached(auth_client, django_assert_num_queries):
    book = BookFactory()
    auth_client.get(f"/books/{book.pk}")
    assert sorted(cache.keys("books:book:*")) == [
        f"books:book:{book.pk}",
        f"books:book:{book.pk}:score:{auth_client.user.pk}",
    ]
    with django_assert_num_queries(0):
        assert auth_client.get(f"/books/{book.pk}").json()["id"] == book.pk


def test_my_rating_is_cached_per_reader_and_follows_their_score(django_assert_num_queries):
    book = BookFactory()
    reader, other = UserFactory(), UserFactory()
    reader_client, other_client = APIClient(), APIClient()
    reader_client.credentials(HTTP_AUTHORIZATION=bearer(reader))
    other_client.credentials(HTTP_AUTHORIZATION=bearer(other))
    assert reader_client.get(f"/books/{book.pk}").json()["my_rating"] is None
    book_rate(book_id=book.pk, user=reader, score=4)
    assert other_client.get(f"/books/{book.pk}").json()["my_rating"] is None
    assert reader_client.get(f"/books/{book.pk}").json()["my_rating"] == 4
    book_rating_withdraw(book_id=book.pk, user=reader)
    with django_assert_num_queries(2):  # the rating withdrawn invalidated both the book and the score
        assert reader_client.get(f"/books/{book.pk}").json()["my_rating"] is None


def test_book_update_shows_in_detail_list_and_author(auth_client):
    author = AuthorFactory()
    book = BookFactory(title="Old", authors=[author])
    for path in (f"/books/{book.pk}", "/books", f"/authors/{author.pk}"):
        assert "Old" in auth_client.get(path).content.decode()
    auth_client.patch(f"/books/{book.pk}", {"title": "New"}, format="json")
    assert auth_client.get(f"/books/{book.pk}").json()["title"] == "New"
    assert auth_client.get("/books").json()["items"][0]["title"] == "New"
    assert auth_client.get(f"/authors/{author.pk}").json()["top_books"][0]["title"] == "New"


def test_rating_shows_at_once_everywhere(auth_client):
    author = AuthorFactory()
    book = BookFactory(authors=[author])
    auth_client.get(f"/books/{book.pk}")
    auth_client.get("/books?ordering=-rating")
    auth_client.get(f"/authors/{author.pk}")
    auth_client.put(f"/books/{book.pk}/rating", {"score": 4}, format="json")
    detail = auth_client.get(f"/books/{book.pk}").json()
    assert (detail["rating"], detail["rating_count"], detail["my_rating"]) == (4.0, 1, 4)
    assert auth_client.get("/books?ordering=-rating").json()["items"][0]["rating"] == 4.0
    assert auth_client.get(f"/authors/{author.pk}").json()["top_books"][0]["rating"] == 4.0
    auth_client.delete(f"/books/{book.pk}/rating")
    detail = auth_client.get(f"/books/{book.pk}").json()
    assert (detail["rating"], detail["rating_count"], detail["my_rating"]) == (None, 0, None)


def test_my_rating_is_not_shared(auth_client, api_client):
    book = BookFactory()
    book_rate(book_id=book.pk, user=auth_client.user, score=5)
    assert auth_client.get(f"/books/{book.pk}").json()["my_rating"] == 5
    api_client.credentials(HTTP_AUTHORIZATION=bearer(UserFactory()))
    body = api_client.get(f"/books/{book.pk}").json()
    assert (body["my_rating"], body["rating"]) == (None, 5.0)


def test_create_and_delete_show_in_list_and_author(auth_client):
    author = AuthorFactory()
    assert auth_client.get("/books").json()["count"] == 0
    assert auth_client.get(f"/authors/{author.pk}").json()["books_count"] == 0
    book_id = auth_client.post(
        "/books", {"title": "T", "published_on": "2000-01-01", "author_ids": [author.pk]}, format="json"
    ).json()["id"]
    assert auth_client.get("/books").json()["count"] == 1
    assert auth_client.get(f"/authors/{author.pk}").json()["books_count"] == 1
    auth_client.get(f"/books/{book_id}")
    auth_client.delete(f"/books/{book_id}")
    assert auth_client.get("/books").json()["count"] == 0
    assert auth_client.get(f"/books/{book_id}").status_code == 404
    assert auth_client.get(f"/authors/{author.pk}").json()["books_count"] == 0


def test_author_rename_shows_in_books(auth_client):
    author = AuthorFactory(name="Old Name")
    book = BookFactory(authors=[author])
    auth_client.get(f"/books/{book.pk}")
    auth_client.get("/books")
    auth_client.get(f"/authors/{author.pk}")
    auth_client.patch(f"/authors/{author.pk}", {"name": "New Name"}, format="json")
    assert auth_client.get(f"/books/{book.pk}").json()["authors"][0]["name"] == "New Name"
    assert auth_client.get("/books").json()["items"][0]["authors"][0]["name"] == "New Name"
    assert auth_client.get(f"/authors/{author.pk}").json()["name"] == "New Name"


def test_author_removal_shows_in_books(auth_client):
    author, other = AuthorFactory.create_batch(2)
    book = BookFactory(authors=[author, other])
    auth_client.get(f"/books/{book.pk}")
    auth_client.delete(f"/authors/{author.pk}")
    assert [a["id"] for a in auth_client.get(f"/books/{book.pk}").json()["authors"]] == [other.pk]


def test_rolled_back_write_keeps_the_cache(auth_client, django_assert_num_queries):
    book = BookFactory(title="Kept")
    auth_client.get(f"/books/{book.pk}")
    response = auth_client.patch(f"/books/{book.pk}", {"author_ids": [987654]}, format="json")
    assert response.status_code == 400
    with django_assert_num_queries(0):  # the payload and my_rating are still cached
        assert auth_client.get(f"/books/{book.pk}").json()["title"] == "Kept"


@pytest.fixture
def redis_down(closed_port):
    """The cache pointed at a port where nothing listens; override_settings resets the cache connections."""
    location = f"redis://127.0.0.1:{closed_port}/0"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": location,
                "KEY_PREFIX": "down",
                "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
            }
        }
    ):
        assert cache.get("anything") is None
        assert cache.set("probe", 1) is None or cache.get("probe") is None
        yield


def test_everything_answers_with_redis_down(redis_down, auth_client):
    author = AuthorFactory(name="Writer")
    response = auth_client.post(
        "/books", {"title": "T", "published_on": "2000-01-01", "author_ids": [author.pk]}, format="json"
    )
    assert response.status_code == 201
    book_id = response.json()["id"]
    assert auth_client.put(f"/books/{book_id}/rating", {"score": 3}, format="json").json()["rating"] == 3.0
    assert auth_client.get(f"/books/{book_id}").json()["my_rating"] == 3
    assert auth_client.get("/books?search=writer").json()["count"] == 1
    assert auth_client.get(f"/authors/{author.pk}").json()["top_books"][0]["rating"] == 3.0
    assert auth_client.patch(f"/books/{book_id}", {"title": "T2"}, format="json").json()["title"] == "T2"
    assert auth_client.get(f"/books/{book_id}").json()["title"] == "T2"
    assert auth_client.get("/authors").json()["count"] == 1
    assert auth_client.delete(f"/books/{book_id}").status_code == 204
    assert auth_client.get(f"/books/{book_id}").status_code == 404


def test_reads_come_from_the_database_while_redis_is_down(redis_down, auth_client, django_assert_num_queries):
    book = BookFactory(published_on=datetime.date(2001, 1, 1))
    for _ in range(2):
        with django_assert_num_queries(2):  # book with its authors, my_rating: every time, no cache
            assert auth_client.get(f"/books/{book.pk}").json()["id"] == book.pk


def test_author_bio_change_shows_in_author_detail(auth_client):
    author = AuthorFactory(bio="old bio")
    assert auth_client.get(f"/authors/{author.pk}").json()["bio"] == "old bio"
    auth_client.patch(f"/authors/{author.pk}", {"bio": "new bio"}, format="json")
    assert auth_client.get(f"/authors/{author.pk}").json()["bio"] == "new bio"


def test_distinct_list_queries_share_a_bounded_set_of_keys(auth_client, settings):
    """Any number of distinct list queries use at most BOOKS_CACHE_LIST_SLOTS keys, and a page that lands in an
    occupied slot never answers for the other page."""
    settings.BOOKS_CACHE_LIST_SLOTS = 4
    author = AuthorFactory(name="Writer")
    titles = [BookFactory(title=f"Book {index:02d}", authors=[author]).title for index in range(12)]
    for offset in range(12):
        for search in ("", "book", "writer", f"{offset:02d}"):
            body = auth_client.get(f"/books?limit=1&offset={offset}&search={search}&ordering=title").json()
            # "03" matches only "Book 03", which is on page 0 of its own results
            expected = [titles[offset]] if not search.isdigit() or offset == 0 else []
            assert [item["title"] for item in body["items"]] == expected
    assert 1 <= len(cache.keys("books:list:*")) <= 4
    for offset in range(12):  # the same answers again, whatever slot now holds which page
        body = auth_client.get(f"/books?limit=1&offset={offset}&ordering=title").json()
        assert [item["title"] for item in body["items"]] == [titles[offset]]
