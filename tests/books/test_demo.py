import io

import pytest
from django.contrib.auth import authenticate
from django.db.models import Count, Sum

from books import demo
from books.models import Author, Book, OutboxEvent, Rating

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        Author.objects.count(),
        Book.objects.count(),
        list(Rating.objects.order_by("id").values_list("user_id", "book_id", "score")),
        list(Book.objects.order_by("id").values_list("title", "rating_sum", "rating_count")),
        OutboxEvent.objects.count(),
    )


def test_seed_is_idempotent_consistent_and_logs_demo_in():
    demo.seed(stdout=io.StringIO())
    first = snapshot()
    assert first[0] == 60
    assert first[1] == 200
    assert len(first[2]) > 200
    assert first[4] == 200  # one book.created per book
    demo.seed(stdout=io.StringIO())
    assert snapshot() == first
    for book in Book.objects.annotate(total=Sum("ratings__score"), n=Count("ratings")):
        assert (book.rating_sum, book.rating_count) == (book.total or 0, book.n)
    assert Book.objects.filter(authors__isnull=True).count() == 0
    assert authenticate(username="demo", password="demo-password-123") is not None
