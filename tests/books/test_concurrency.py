"""Concurrent scores against the real PostgreSQL: the book's counters always equal the truth of the Rating rows."""

import contextlib
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum

from books.exceptions import AuthorIsSoleAuthorError, RatingNotFoundError, UnknownAuthorsError
from books.models import Author, Book, Rating
from books.services import author_delete, book_create, book_rate, book_rating_withdraw, book_update
from tests.books.factories import AuthorFactory, BookFactory
from tests.conftest import errors_of_concurrent

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
RATINGS_PER_THREAD = 50


def assert_counters_match_the_rows(book: Book) -> None:
    book.refresh_from_db()
    truth = Rating.objects.filter(book=book).aggregate(total=Sum("score"), count=Count("id"))
    assert book.rating_count == truth["count"]
    assert book.rating_sum == (truth["total"] or 0)
    expected = (
        None
        if not truth["count"]
        else (Decimal(truth["total"]) / truth["count"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
    assert book.rating == expected


def make_users(count: int) -> list:
    User = get_user_model()
    return User.objects.bulk_create([User(username=f"rater{index}", password="!") for index in range(count)])


def test_eight_threads_of_fifty_ratings_with_rerates():
    book = BookFactory()
    users = make_users(THREADS * RATINGS_PER_THREAD)

    def work(index: int) -> None:
        rng = random.Random(index)
        mine = users[index * RATINGS_PER_THREAD : (index + 1) * RATINGS_PER_THREAD]
        for user in mine:
            book_rate(book_id=book.pk, user=user, score=rng.randint(1, 5))
        for user in rng.sample(mine, 10):  # re-rates
            book_rate(book_id=book.pk, user=user, score=rng.randint(1, 5))
        for user in rng.sample(mine, 3):  # withdrawals
            book_rating_withdraw(book_id=book.pk, user=user)

    assert errors_of_concurrent(work, THREADS) == []
    assert Rating.objects.filter(book=book).count() == THREADS * (RATINGS_PER_THREAD - 3)
    assert_counters_match_the_rows(book)


def test_one_user_rerating_from_many_threads_at_once():
    """The first score of a user raced from 8 requests: one row, counted once, whichever score won."""
    book = BookFactory()
    (user,) = make_users(1)

    def work(index: int) -> None:
        for round_ in range(20):
            book_rate(book_id=book.pk, user=user, score=1 + (index + round_) % 5)

    assert errors_of_concurrent(work, THREADS) == []
    assert Rating.objects.filter(book=book, user=user).count() == 1
    assert_counters_match_the_rows(book)
    assert book.rating_count == 1


def test_rates_and_withdrawals_of_the_same_users_interleaved():
    book = BookFactory()
    users = make_users(20)

    def work(index: int) -> None:
        rng = random.Random(100 + index)
        for _ in range(40):
            user = rng.choice(users)
            if rng.random() < 0.3:
                with contextlib.suppress(RatingNotFoundError):  # not rated at this moment: a 404 in the API
                    book_rating_withdraw(book_id=book.pk, user=user)
            else:
                book_rate(book_id=book.pk, user=user, score=rng.randint(1, 5))

    assert errors_of_concurrent(work, THREADS) == []
    assert_counters_match_the_rows(book)


def test_author_delete_racing_book_writes_never_leaves_a_book_without_authors():
    """Book writes lock their authors FOR KEY SHARE, the delete locks the author FOR UPDATE: each outcome is
    a clean 400 (author gone) or 409 (author now has a sole-authored book), never an orphan book or a 500."""
    for attempt in range(15):
        doomed, keeper = AuthorFactory(), AuthorFactory()
        shared = BookFactory(authors=[doomed, keeper])
        outcomes: list[str] = []

        def work(index: int, doomed=doomed, shared=shared, outcomes=outcomes, attempt=attempt) -> None:
            try:
                if index == 0:
                    author_delete(author_id=doomed.pk)
                elif index % 2:
                    book_create(title=f"t{attempt}-{index}", published_on=shared.published_on, author_ids=[doomed.pk])
                else:
                    book_update(book_id=shared.pk, author_ids=[doomed.pk])
                outcomes.append("ok")
            except (UnknownAuthorsError, AuthorIsSoleAuthorError) as exc:
                outcomes.append(type(exc).__name__)

        assert errors_of_concurrent(work, 6) == []
        assert len(outcomes) == 6
        assert not Book.objects.filter(authors__isnull=True).exists()
        if not Author.objects.filter(pk=doomed.pk).exists():
            assert not Book.objects.filter(authors=doomed.pk).exists()
