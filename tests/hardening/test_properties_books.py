"""Property: after any sequence of rate / re-rate / withdraw, a book's counters and rating match its Rating rows.

The services are called directly against the real PostgreSQL. Each Hypothesis example runs inside a savepoint
that is rolled back, so examples start from the same unrated books and never see each other's scores.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from books.exceptions import RatingNotFoundError
from books.models import Book, Rating
from books.services import MAX_SCORE, MIN_SCORE, book_rate, book_rating_withdraw
from tests.books.factories import BookFactory
from tests.config.factories import UserFactory

# Eight raters: a count of 8 makes means like 4.125 / 4.375 / 4.625 / 4.875, which exercise the rounding of a half.
USERS = 8
BOOKS = 2
WITHDRAW = "withdraw"

operations = st.lists(
    st.tuples(
        st.integers(0, BOOKS - 1),
        st.integers(0, USERS - 1),
        st.one_of(st.integers(MIN_SCORE, MAX_SCORE), st.just(WITHDRAW)),
    ),
    max_size=40,
)


def expected_rating(scores: list[int]) -> Decimal | None:
    """The mean rounded to 2 decimals, half away from zero (PostgreSQL's round(numeric)); None when unrated.

    Exact integer arithmetic: round(s / n, 2) == floor((200 s + n) / (2 n)) / 100 for s, n > 0.
    """
    if not scores:
        return None
    total, count = sum(scores), len(scores)
    return (Decimal((200 * total + count) // (2 * count)) / 100).quantize(Decimal("0.01"))


def assert_book_matches(book_id: int, scores: dict[int, int]) -> None:
    book = Book.objects.get(pk=book_id)
    rows = Rating.objects.filter(book_id=book_id)
    assert dict(rows.values_list("user_id", "score")) == scores
    assert book.rating_count == rows.count() == len(scores)
    assert book.rating_sum == (rows.aggregate(total=Sum("score"))["total"] or 0) == sum(scores.values())
    assert book.rating == expected_rating(list(scores.values()))


@pytest.fixture
def raters(db):
    return [UserFactory() for _ in range(USERS)]


@pytest.fixture
def books(db):
    return [BookFactory() for _ in range(BOOKS)]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([], None), ([5], "5.00"), ([5, 4, 4], "4.33"), ([1, 2], "1.50"), ([5, 4, 4, 4, 4, 4, 4, 4], "4.13")],
)
def test_expected_rating_is_the_half_up_mean(scores, expected):
    assert expected_rating(scores) == (Decimal(expected) if expected is not None else None)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
# 33 / 8 = 4.125 -> 4.13 (a half, rounded away from zero); then everybody withdraws -> NULL again.
@example(ops=[(0, user, 4) for user in range(7)] + [(0, 7, 5)] + [(0, user, WITHDRAW) for user in range(USERS)])
def test_rating_matches_the_current_scores_after_any_sequence(raters, books, ops):
    model: list[dict[int, int]] = [{} for _ in books]  # per book: user id -> current score
    with transaction.atomic():
        for book_index, user_index, action in ops:
            book, user, scores = books[book_index], raters[user_index], model[book_index]
            if action == WITHDRAW:
                if user.pk in scores:
                    returned = book_rating_withdraw(book_id=book.pk, user=user)
                    del scores[user.pk]
                else:
                    with pytest.raises(RatingNotFoundError):
                        book_rating_withdraw(book_id=book.pk, user=user)
                    returned = None
            else:
                returned = book_rate(book_id=book.pk, user=user, score=action)
                scores[user.pk] = action
            if returned is not None:
                # What the service hands back (and the API serializes) is the committed state, not a stale copy.
                assert (returned.rating_count, returned.rating_sum, returned.rating) == (
                    len(scores),
                    sum(scores.values()),
                    expected_rating(list(scores.values())),
                )
            for index, other in enumerate(books):
                assert_book_matches(other.pk, model[index])
        transaction.set_rollback(True)
