"""The producing side of the book events: an outbox row per change, written in the change's transaction.

`relay_events` (books/relay.py) publishes the rows; it LISTENs on `OUTBOX_CHANNEL`, and PostgreSQL delivers
the NOTIFY only when the writing transaction commits, so a rolled-back write wakes nobody and sends nothing.
"""

from datetime import datetime
from typing import Any

from django.db import connection

from books.models import Book, OutboxEvent
from books.selectors import BOOK_FIELDS, book_representation
from config.request_id import current_request_id
from config.retention import purge_before, retention_cutoff

OUTBOX_CHANNEL = "books_outbox"


def book_event_payload(book: Book) -> dict[str, Any]:
    """The book as `GET /books/{id}` shows it, without the caller's own `my_rating`.

    `book.authors` should be prefetched and the rating columns fresh (`refresh_from_db`) for a correct payload.
    The REST representation builds it, so an event and the API agree byte for byte.
    """
    row = {field: getattr(book, field) for field in BOOK_FIELDS}
    return book_representation(row, [{"id": author.pk, "name": author.name} for author in book.authors.all()])


def outbox_record(*, event_type: str, aggregate_id: int, payload: dict[str, Any]) -> OutboxEvent:
    """Insert an outbox row and notify the relay; call it inside the transaction of the change."""
    event = OutboxEvent.objects.create(
        type=event_type, aggregate_id=aggregate_id, payload=payload, request_id=current_request_id()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [OUTBOX_CHANNEL])
    return event


def outbox_purge_published(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete outbox rows published longer ago than EVENTS_RETENTION_DAYS; unpublished rows always stay."""
    published = OutboxEvent.objects.filter(published_at__isnull=False)
    return purge_before(published, field="published_at", cutoff=retention_cutoff(now), batch_size=batch_size)
