"""The producing side of the book events: an outbox row per change, written in the change's transaction.

`relay_events` (books/relay.py) publishes the rows; it LISTENs on `OUTBOX_CHANNEL`, and PostgreSQL delivers
the NOTIFY only when the writing transaction commits, so a rolled-back write wakes nobody and sends nothing.
"""

import json
import uuid
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

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


# The row and the NOTIFY in one statement: one round trip less on every book write.
RECORD_SQL = """
    WITH event AS (
        INSERT INTO books_outboxevent (event_id, type, aggregate_id, payload, occurred_at, request_id)
        VALUES (%s, %s, %s, %s::jsonb, %s, %s)
        RETURNING id
    )
    SELECT id, pg_notify(%s, '') FROM event
"""


def outbox_record(*, event_type: str, aggregate_id: int, payload: dict[str, Any]) -> OutboxEvent:
    """Insert an outbox row and notify the relay; call it inside the transaction of the change."""
    event = OutboxEvent(
        event_id=uuid.uuid4(),
        type=event_type,
        aggregate_id=aggregate_id,
        payload=payload,
        occurred_at=timezone.now(),
        request_id=current_request_id(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD_SQL,
            [
                event.event_id,
                event.type,
                event.aggregate_id,
                json.dumps(payload, cls=DjangoJSONEncoder),
                event.occurred_at,
                event.request_id,
                OUTBOX_CHANNEL,
            ],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    return event


def outbox_purge_published(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Delete outbox rows published longer ago than EVENTS_RETENTION_DAYS; unpublished rows always stay."""
    published = OutboxEvent.objects.filter(published_at__isnull=False)
    return purge_before(published, field="published_at", cutoff=retention_cutoff(now), batch_size=batch_size)
