"""Hand-written SQL of the hottest book write, `POST /books` with `author_ids`: one statement, no BEGIN/COMMIT.

A single statement is atomic on its own, so the common create costs one round trip (plus the user row the JWT
check loads) where the ORM needed BEGIN, the author lock, the book, its links, the outbox row with its NOTIFY and
COMMIT. It keeps the rules of the ORM path (books/services.py): the authors are locked FOR KEY SHARE in id order
before anything is written, nothing is written unless every author exists, and the outbox row carries the book as
`GET /books/{id}` shows it (authors in the model's order, name then id, as PostgreSQL sorts them).
"""

import json
import uuid
from datetime import date, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from books.models import OutboxEvent
from books.outbox import OUTBOX_CHANNEL
from books.selectors import book_representation
from config.request_id import current_request_id

CREATE_BOOK_SQL = """
    WITH locked AS (
        SELECT id, name FROM books_author WHERE id = ANY(%(author_ids)s) ORDER BY id FOR KEY SHARE
    ), book AS (
        INSERT INTO books_book (title, published_on, rating_sum, rating_count, created_at, updated_at)
        SELECT %(title)s, %(published_on)s, 0, 0, %(now)s, %(now)s
        WHERE (SELECT count(*) FROM locked) = %(wanted)s
        RETURNING id
    ), links AS (
        INSERT INTO books_book_authors (book_id, author_id) SELECT book.id, locked.id FROM book CROSS JOIN locked
    ), authors AS (
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name) ORDER BY name, id), '[]') AS list,
               coalesce(string_agg(name, ', ' ORDER BY name, id), '') AS names
        FROM locked
    ), event AS (
        INSERT INTO books_outboxevent (event_id, type, aggregate_id, payload, occurred_at, request_id)
        SELECT %(event_id)s, %(type)s, book.id,
               %(payload)s::jsonb
                   || jsonb_build_object('id', book.id, 'authors', authors.list, 'author', authors.names),
               %(now)s, %(request_id)s
        FROM book CROSS JOIN authors
        RETURNING id
    )
    SELECT (SELECT id FROM book), (SELECT list FROM authors), (SELECT pg_notify(%(channel)s, '') FROM event)
"""


def book_insert_statement(
    *, title: str, published_on: date, author_ids: list[int], now: datetime
) -> tuple[int | None, list[dict[str, Any]]]:
    """Insert the book, its author links and its `book.created` outbox row (with the NOTIFY) in one statement.

    Returns the new book's id and its authors (`[{"id", "name"}]` in name order); the id is None, and nothing was
    written, when some of `author_ids` (distinct) do not exist - the authors returned are those that do.
    """
    template = book_representation(
        {
            "id": 0,
            "title": title,
            "published_on": published_on,
            "rating": None,
            "rating_count": 0,
            "created_at": now,
            "updated_at": now,
        },
        [],
    )  # id, authors and author are filled in by the statement
    with connection.cursor() as cursor:
        cursor.execute(
            CREATE_BOOK_SQL,
            {
                "author_ids": author_ids,
                "wanted": len(author_ids),
                "title": title,
                "published_on": published_on,
                "now": now,
                "event_id": uuid.uuid4(),
                "type": OutboxEvent.Type.BOOK_CREATED.value,
                "payload": json.dumps(template, cls=DjangoJSONEncoder),
                "request_id": current_request_id(),
                "channel": OUTBOX_CHANNEL,
            },
        )
        book_id, authors, _ = cursor.fetchone()
    return book_id, json.loads(authors)  # Django reads jsonb as text (JSONField decodes it)
