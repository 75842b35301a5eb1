"""Business rules of books, ratings and authors, called directly (no HTTP)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from books.exceptions import (
    AuthorIsSoleAuthorError,
    AuthorNotFoundError,
    BookAuthorsRequiredError,
    BookNotFoundError,
    BookPublishedInFutureError,
    InvalidScoreError,
    RatingNotFoundError,
    UnknownAuthorsError,
)
from books.models import Author, Book, Rating
from books.selectors import author_top_books, book_get
from books.services import (
    author_delete,
    author_update,
    book_create,
    book_delete,
    book_rate,
    book_rating_withdraw,
    book_update,
)
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db


def rate_all(book: Book, scores: list[int]) -> Book:
    for score in scores:
        book = book_rate(book_id=book.pk, user=UserFactory(), score=score)
    return book


class TestRatingMath:
    def test_unrated_book_has_null_rating(self):
        book = BookFactory()
        book.refresh_from_db()
        assert (book.rating, book.rating_sum, book.rating_count) == (None, 0, 0)

    @pytest.mark.parametrize(
        ("scores", "expected"),
        [
            ([5], "5.00"),
            ([1], "1.00"),
            ([5, 4, 4], "4.33"),
            ([1, 2], "1.50"),
            ([1, 1, 2], "1.33"),
            ([2, 2, 3], "2.33"),
            ([5, 5, 4], "4.67"),
            ([1, 2, 3, 4, 5], "3.00"),
            ([1, 5], "3.00"),
        ],
    )
    def test_rating_is_the_rounded_mean(self, scores, expected):
        book = rate_all(BookFactory(), scores)
        assert book.rating == Decimal(expected)
        assert book.rating_count == len(scores)
        assert book.rating_sum == sum(scores)

    def test_rounding_half_goes_up(self):
        # 37 / 8 = 4.625 -> 4.63 (numeric rounding; banker's rounding would give 4.62)
        book = rate_all(BookFactory(), [5, 5, 5, 5, 5, 4, 4, 4])
        assert book.rating == Decimal("4.63")
        assert book.rating_sum == 37

    def test_first_score(self):
        user = UserFactory()
        book = book_rate(book_id=BookFactory().pk, user=user, score=4)
        assert (book.rating, book.rating_count, book.rating_sum) == (Decimal("4.00"), 1, 4)
        assert Rating.objects.get(book=book, user=user).score == 4

    def test_rerate_replaces_the_score(self):
        user = UserFactory()
        book = rate_all(BookFactory(), [2])
        book = book_rate(book_id=book.pk, user=user, score=5)
        book = book_rate(book_id=book.pk, user=user, score=1)
        assert (book.rating_count, book.rating_sum, book.rating) == (2, 3, Decimal("1.50"))
        assert Rating.objects.filter(book=book, user=user).count() == 1

    def test_rerate_with_the_same_score_changes_nothing(self):
        user = UserFactory()
        book = book_rate(book_id=BookFactory().pk, user=user, score=3)
        book = book_rate(book_id=book.pk, user=user, score=3)
        assert (book.rating_count, book.rating_sum) == (1, 3)

    def test_withdraw_removes_the_score(self):
        user = UserFactory()
        book = rate_all(BookFactory(), [5, 4])
        book = book_rate(book_id=book.pk, user=user, score=1)
        assert book.rating == Decimal("3.33")
        book = book_rating_withdraw(book_id=book.pk, user=user)
        assert (book.rating_count, book.rating_sum, book.rating) == (2, 9, Decimal("4.50"))
        assert not Rating.objects.filter(book=book, user=user).exists()

    def test_withdraw_to_zero_makes_the_rating_null_again(self):
        user = UserFactory()
        book = book_rate(book_id=BookFactory().pk, user=user, score=5)
        book = book_rating_withdraw(book_id=book.pk, user=user)
        assert (book.rating, book.rating_count, book.rating_sum) == (None, 0, 0)

    def test_withdraw_without_a_score_is_not_found(self):
        with pytest.raises(RatingNotFoundError):
            book_rating_withdraw(book_id=BookFactory().pk, user=UserFactory())

    @pytest.mark.parametrize("score", [1, 5])
    def test_boundary_scores_are_accepted(self, score):
        book = book_rate(book_id=BookFactory().pk, user=UserFactory(), score=score)
        assert book.rating == Decimal(score)

    @pytest.mark.parametrize("score", [0, 6, -1, 100, 4.5, 4.0, "5", None, True])
    def test_invalid_scores_are_refused(self, score):
        book = BookFactory()
        with pytest.raises(InvalidScoreError):
            book_rate(book_id=book.pk, user=UserFactory(), score=score)
        assert not Rating.objects.exists()

    def test_rating_an_unknown_book_is_not_found(self):
        with pytest.raises(BookNotFoundError):
            book_rate(book_id=987654, user=UserFactory(), score=3)

    def test_rating_does_not_change_updated_at(self):
        book = BookFactory()
        before = Book.objects.get(pk=book.pk).updated_at
        book_rate(book_id=book.pk, user=UserFactory(), score=4)
        assert Book.objects.get(pk=book.pk).updated_at == before


class TestBookWrites:
    def test_create_with_authors(self):
        authors = AuthorFactory.create_batch(2)
        book = book_create(title="Dune", published_on=datetime.date(1965, 8, 1), author_ids=[a.pk for a in authors])
        assert {a.pk for a in book.authors.all()} == {a.pk for a in authors}
        assert book.rating is None

    def test_duplicate_author_ids_are_merged(self):
        author = AuthorFactory()
        book = book_create(title="Dune", published_on=datetime.date(1965, 8, 1), author_ids=[author.pk, author.pk])
        assert list(book.authors.all()) == [author]

    @pytest.mark.parametrize("known", [0, 1])
    def test_unknown_author_ids_are_named(self, known):
        ids = [a.pk for a in AuthorFactory.create_batch(known)] + [987654, 987653]
        with pytest.raises(UnknownAuthorsError) as error:
            book_create(title="X", published_on=datetime.date(2000, 1, 1), author_ids=ids)
        assert error.value.context == {"author_ids": [987653, 987654]}
        assert not Book.objects.exists()

    def test_no_authors_is_refused(self):
        with pytest.raises(BookAuthorsRequiredError):
            book_create(title="X", published_on=datetime.date(2000, 1, 1), author_ids=[])

    def test_future_publication_date_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(BookPublishedInFutureError):
            book_create(title="X", published_on=tomorrow, author_ids=[AuthorFactory().pk])

    def test_today_is_accepted(self):
        book = book_create(title="X", published_on=timezone.localdate(), author_ids=[AuthorFactory().pk])
        assert book.published_on == timezone.localdate()

    def test_update_replaces_the_authors(self):
        book = BookFactory()
        new = AuthorFactory()
        book = book_update(book_id=book.pk, title="New", author_ids=[new.pk])
        assert book.title == "New"
        assert list(book.authors.all()) == [new]

    def test_update_of_unknown_book(self):
        with pytest.raises(BookNotFoundError):
            book_update(book_id=987654, title="New")

    def test_delete(self):
        book = BookFactory()
        book_rate(book_id=book.pk, user=UserFactory(), score=5)
        book_delete(book_id=book.pk)
        assert not Book.objects.filter(pk=book.pk).exists()
        assert not Rating.objects.exists()
        with pytest.raises(BookNotFoundError):
            book_delete(book_id=book.pk)


class TestAuthors:
    def test_delete_sole_author_is_a_conflict_naming_the_books(self):
        author, other = AuthorFactory.create_batch(2)
        sole = BookFactory(title="Alone", authors=[author])
        shared = BookFactory(title="Together", authors=[author, other])
        with pytest.raises(AuthorIsSoleAuthorError) as error:
            author_delete(author_id=author.pk)
        assert error.value.context == {"books": [{"id": sole.pk, "title": "Alone"}]}
        assert Author.objects.filter(pk=author.pk).exists()
        assert set(shared.authors.all()) == {author, other}

    def test_delete_removes_the_author_from_their_books(self):
        author, other = AuthorFactory.create_batch(2)
        shared = BookFactory(authors=[author, other])
        author_delete(author_id=author.pk)
        assert not Author.objects.filter(pk=author.pk).exists()
        assert list(book_get(book_id=shared.pk).authors.all()) == [other]

    def test_delete_unknown_author(self):
        with pytest.raises(AuthorNotFoundError):
            author_delete(author_id=987654)

    def test_update_renames(self):
        author = AuthorFactory(name="Old")
        assert author_update(author_id=author.pk, name="New").name == "New"
        assert Author.objects.get(pk=author.pk).name == "New"

    def test_top_books_order_and_limit(self):
        author = AuthorFactory()
        books = {title: BookFactory(title=title, authors=[author]) for title in "ABCDEFG"}
        rate_all(books["A"], [3])
        rate_all(books["B"], [5, 4])  # 4.50
        rate_all(books["C"], [5])  # 5.00, 1 vote
        rate_all(books["D"], [5, 5])  # 5.00, 2 votes
        rate_all(books["E"], [4, 5])  # 4.50 by 2 votes, like B -> the lower id (B) first
        top = author_top_books(author_id=author.pk)
        assert [book.title for book in top] == ["D", "C", "B", "E", "A"]
        assert len(author_top_books(author_id=author.pk, limit=10)) == 7
        assert [book.title for book in author_top_books(author_id=author.pk, limit=10)][-2:] == ["F", "G"]


def test_deleting_a_user_withdraws_their_scores():
    book, other_book = BookFactory(), BookFactory()
    leaving, staying = UserFactory(), UserFactory()
    book_rate(book_id=book.id, user=leaving, score=1)
    book_rate(book_id=book.id, user=staying, score=4)
    book_rate(book_id=other_book.id, user=leaving, score=5)

    leaving.delete()

    book.refresh_from_db()
    other_book.refresh_from_db()
    assert (book.rating_sum, book.rating_count, book.rating) == (4, 1, Decimal("4.00"))
    assert (other_book.rating_sum, other_book.rating_count, other_book.rating) == (0, 0, None)
