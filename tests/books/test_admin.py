"""The admin goes through the services: events, counters and the sole-author rule hold there too."""

import pytest

from books.models import Author, Book, OutboxEvent, Rating
from books.services import book_rate
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["author", "book", "rating", "outboxevent"])
def test_changelists_search_and_filters_load(admin_client, model):
    author = AuthorFactory(name="Searchable")
    book = BookFactory(authors=[author])
    book_rate(book_id=book.pk, user=UserFactory(), score=4)
    assert admin_client.get(f"/admin/books/{model}/").status_code == 200
    assert admin_client.get(f"/admin/books/{model}/?q=Searchable").status_code == 200
    assert admin_client.get("/admin/books/book/?rated=yes").status_code == 200


def test_change_pages_load(admin_client):
    author = AuthorFactory()
    book = BookFactory(authors=[author])
    assert admin_client.get(f"/admin/books/book/{book.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/books/author/{author.pk}/change/").status_code == 200
    assert admin_client.get("/admin/books/book/add/").status_code == 200


def test_add_book_through_the_service(admin_client):
    author = AuthorFactory()
    response = admin_client.post(
        "/admin/books/book/add/",
        {
            "title": "From admin",
            "published_on": "2001-02-03",
            "authors": [author.pk],
            "books_author_book-TOTAL_FORMS": "0",
            "books_author_book-INITIAL_FORMS": "0",
            "Book_authors-TOTAL_FORMS": "0",
            "Book_authors-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    book = Book.objects.get(title="From admin")
    assert list(book.authors.all()) == [author]
    assert OutboxEvent.objects.get().type == "book.created"


def test_future_date_is_refused_in_admin(admin_client):
    response = admin_client.post(
        "/admin/books/book/add/",
        {"title": "X", "published_on": "2999-01-01", "authors": [AuthorFactory().pk], "Book_authors-TOTAL_FORMS": "0",
         "Book_authors-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "The publication date 2999-01-01 is in the future." in response.content.decode()  # the service's rule
    assert not Book.objects.exists()


def test_sole_author_cannot_be_deleted_in_admin(admin_client):
    author = AuthorFactory()
    BookFactory(title="Alone", authors=[author])
    page = admin_client.get(f"/admin/books/author/{author.pk}/delete/")
    assert "Alone (only author)" in page.content.decode()
    admin_client.post(f"/admin/books/author/{author.pk}/delete/", {"post": "yes"})
    assert Author.objects.filter(pk=author.pk).exists()


def test_deleting_a_rating_in_admin_withdraws_it(admin_client):
    book = BookFactory()
    book_rate(book_id=book.pk, user=UserFactory(), score=5)
    book_rate(book_id=book.pk, user=UserFactory(), score=3)
    rating = Rating.objects.get(score=5)
    admin_client.post(f"/admin/books/rating/{rating.pk}/delete/", {"post": "yes"})
    book.refresh_from_db()
    assert (book.rating_count, book.rating_sum) == (1, 3)
