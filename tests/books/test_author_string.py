"""Brief 001's book shape on top of the author records: `author` as one string, on reads and writes."""

import datetime

import pytest

from books.exceptions import AuthorNameAndIdsError, BookPublishedInFutureError
from books.models import Author, Book
from books.selectors import book_detail_payload
from books.serializers import BookOutputSerializer
from books.services import author_get_or_create_by_name, book_create
from tests.books.factories import AuthorFactory, BookFactory
from tests.conftest import run_in_threads

BRIEF_001_BOOK = {"title": "New Book", "author": "New Author", "published_on": "2024-01-01"}


@pytest.mark.django_db
class TestAuthorStringOverRest:
    def test_brief_001_create_makes_the_author_and_shows_it(self, auth_client):
        response = auth_client.post("/books", BRIEF_001_BOOK, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        author = Author.objects.get(name="New Author")
        assert (body["author"], body["authors"]) == ("New Author", [{"id": author.pk, "name": "New Author"}])
        assert auth_client.get(f"/books/{body['id']}").json()["author"] == "New Author"

    def test_a_second_book_reuses_the_author(self, auth_client):
        first = auth_client.post("/books", BRIEF_001_BOOK, format="json").json()
        second = auth_client.post("/books", {**BRIEF_001_BOOK, "title": "Second"}, format="json").json()
        assert first["authors"] == second["authors"]
        assert Author.objects.filter(name="New Author").count() == 1

    def test_an_existing_author_is_found_by_exact_name(self, auth_client):
        existing = AuthorFactory(name="Ursula K. Le Guin")
        AuthorFactory(name="ursula k. le guin")
        body = auth_client.post("/books", {**BRIEF_001_BOOK, "author": "Ursula K. Le Guin"}, format="json").json()
        assert body["authors"] == [{"id": existing.pk, "name": "Ursula K. Le Guin"}]
        assert Author.objects.count() == 2

    def test_author_lists_every_author_in_the_order_of_authors(self, auth_client):
        book = BookFactory(authors=[AuthorFactory(name="Terry Pratchett"), AuthorFactory(name="Neil Gaiman")])
        for body in (auth_client.get(f"/books/{book.pk}").json(), auth_client.get("/books").json()["items"][0]):
            assert [a["name"] for a in body["authors"]] == ["Neil Gaiman", "Terry Pratchett"]
            assert body["author"] == "Neil Gaiman, Terry Pratchett"

    def test_a_book_without_authors_has_an_empty_author(self):
        book = BookFactory(authors=[])
        assert book_detail_payload(book_id=book.pk)["author"] == ""
        assert BookOutputSerializer(book).data["author"] == ""

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_update_by_author_name(self, auth_client, method):
        book = BookFactory(authors=[AuthorFactory(name="Old")])
        payload = {"author": "Replacement"} if method == "patch" else {**BRIEF_001_BOOK, "author": "Replacement"}
        body = getattr(auth_client, method)(f"/books/{book.pk}", payload, format="json").json()
        assert body["author"] == "Replacement"
        assert list(Book.objects.get(pk=book.pk).authors.values_list("name", flat=True)) == ["Replacement"]

    @pytest.mark.parametrize("method", ["post", "put", "patch"])
    def test_author_and_author_ids_together_is_400_naming_both(self, auth_client, method):
        book = BookFactory(title="Kept")
        payload = {**BRIEF_001_BOOK, "author_ids": [AuthorFactory().pk]}
        path = "/books" if method == "post" else f"/books/{book.pk}"
        response = getattr(auth_client, method)(path, payload, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"author", "author_ids"}
        assert "not both" in response.json()["author"][0]
        assert not Author.objects.filter(name="New Author").exists()
        assert Book.objects.get(pk=book.pk).title == "Kept"

    @pytest.mark.parametrize("author", ["", "   ", None, 5, ["New Author"], "x" * 201])
    def test_invalid_author_is_400_and_creates_nothing(self, auth_client, author):
        response = auth_client.post("/books", {**BRIEF_001_BOOK, "author": author}, format="json")
        assert response.status_code == 400
        assert "author" in response.json()
        assert (Author.objects.count(), Book.objects.count()) == (0, 0)

    def test_neither_author_nor_author_ids_names_author_ids(self, auth_client):
        payload = {key: value for key, value in BRIEF_001_BOOK.items() if key != "author"}
        response = auth_client.post("/books", payload, format="json")
        assert response.status_code == 400
        assert "`author`" in response.json()["author_ids"][0]

    def test_a_refused_book_does_not_leave_its_new_author_behind(self, auth_client):
        response = auth_client.post("/books", {**BRIEF_001_BOOK, "published_on": "2999-01-01"}, format="json")
        assert response.status_code == 400
        with pytest.raises(BookPublishedInFutureError):
            book_create(title="T", published_on=datetime.date(2999, 1, 1), author_name="New Author")
        assert not Author.objects.exists()


@pytest.mark.django_db
def test_service_refuses_author_name_with_author_ids():
    with pytest.raises(AuthorNameAndIdsError):
        book_create(title="T", published_on=datetime.date(2000, 1, 1), author_ids=[AuthorFactory().pk], author_name="A")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [2, 8])
def test_concurrent_creates_naming_the_same_new_author_make_one_author(threads):
    def create(index: int):
        return lambda: book_create(title=f"Book {index}", published_on=datetime.date(2000, 1, 1), author_name="Racer")

    results = run_in_threads(*(create(index) for index in range(threads)))
    assert [type(result) for result in results] == [Book] * threads
    (author,) = Author.objects.filter(name="Racer")
    assert Book.objects.filter(authors=author).count() == threads


@pytest.mark.django_db(transaction=True)
def test_concurrent_lookups_of_the_same_new_name_return_one_author():
    results = run_in_threads(*(lambda: author_get_or_create_by_name(name="Solo") for _ in range(6)))
    assert len({author.pk for author in results}) == 1
    assert Author.objects.filter(name="Solo").count() == 1
