"""The producing side of the book events: an outbox row per change, written in the change's transaction.

`relay_events` (books/relay.py) publishes the rows; it LISTENs on `OUTBOX_CHANNEL`, and PostgreSQL delivers
the NOTIFY only when the writing transaction commits, so a rolled-back write wakes nobody and sends nothing.
"""

from typing import Any

from django.db import connection

from books.models import Book, OutboxEvent

OUTBOX_CHANNEL = "books_outbox"


def book_event_payload(book: Book) -> dict[str, Any]:
    """The book as `GET /books/{id}` shows it, without the caller's own `my_rating`.

    `book.authors` should be prefetched and the rating columns fresh (`refresh_from_db`) for a correct payload.
    """
    return {
        "id": book.pk,
        "title": book.title,
        "published_on": book.published_on.isoformat(),
        "authors": [{"id": author.pk, "name": author.name} for author in book.authors.all()],
        "rating": None if book.rating is None else f"{book.rating:.2f}",
        "rating_count": book.rating_count,
        "created_at": _isoformat(book.created_at),
        "updated_at": _isoformat(book.updated_at),
    }


def _isoformat(moment) -> str:
    # The same format DRF's DateTimeField renders (UTC as "Z"), so an event and the API agree byte for byte.
    value = moment.isoformat()
    return value[:-6] + "Z" if value.endswith("+00:00") else value


def outbox_record(*, event_type: str, aggregate_id: int, payload: dict[str, Any]) -> OutboxEvent:
    """Insert an outbox row and notify the relay; call it inside the transaction of the change."""
    event = OutboxEvent.objects.create(type=event_type, aggregate_id=aggregate_id, payload=payload)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [OUTBOX_CHANNEL])
    return event
