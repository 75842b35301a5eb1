"""Writes of books, authors and ratings. Each function owns its transaction; callers are the REST API, the
admin, the demo seeding and any other entry point.

Lock order, everywhere: authors (by pk) -> books (by pk) -> ratings. A book write that (re)assigns authors locks
those authors `FOR SHARE` first, `author_delete` locks the author `FOR UPDATE` and then their books, and every
score change locks its book row, so two requests can wait for each other but never deadlock.
Book events go to the outbox in the same transaction; cache versions are bumped only after commit.
"""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from books.cache import invalidate_on_commit
from books.exceptions import (
    AuthorIsSoleAuthorError,
    AuthorNameAndIdsError,
    AuthorNotFoundError,
    BookAuthorsRequiredError,
    BookNotFoundError,
    BookPublishedInFutureError,
    InvalidScoreError,
    RatingNotFoundError,
    UnknownAuthorsError,
)
from books.models import Author, Book, OutboxEvent, Rating
from books.outbox import book_event_payload, outbox_record
from books.selectors import book_get
from books.statements import book_insert_statement
from config.api import not_found_message

MIN_SCORE, MAX_SCORE = 1, 5
AUTHOR_NAME_LOCK = 7001  # first key of the advisory locks that serialize "find or create the author named X"


def _lock_authors(author_ids: Iterable[int]) -> list[Author]:
    wanted = sorted(set(author_ids))
    if not wanted:
        raise BookAuthorsRequiredError()
    # FOR KEY SHARE: concurrent book writes may use the same authors at once, while `author_delete`
    # (FOR UPDATE) waits for them - and they for it, so an author cannot vanish under a book being written.
    authors = list(
        Author.objects.raw("SELECT * FROM books_author WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE", [wanted])
    )
    missing = sorted(set(wanted) - {author.pk for author in authors})
    if missing:
        raise UnknownAuthorsError(f"Unknown author ids: {', '.join(map(str, missing))}.", author_ids=missing)
    return authors


def _lock_book(book_id: int) -> Book:
    try:
        return Book.objects.select_for_update().get(pk=book_id)
    except Book.DoesNotExist:
        raise BookNotFoundError(not_found_message("book", book_id), book_id=book_id) from None


def book_publication_date_check(*, published_on: date) -> None:
    """The one rule on a publication date (the API and the admin show it as a field error): not in the future."""
    if published_on > timezone.localdate():
        raise BookPublishedInFutureError(f"The publication date {published_on.isoformat()} is in the future.")


@transaction.atomic
def author_get_or_create_by_name(*, name: str) -> Author:
    """The author named exactly `name` (the oldest, if several share it), created when there is none.

    A transaction-scoped advisory lock on the name serializes concurrent callers with the same name until their
    transactions end, so two requests naming the same new author at once end with one author record.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [AUTHOR_NAME_LOCK, name])
    author = Author.objects.filter(name=name).order_by("id").first()
    return author or Author.objects.create(name=name)


def _book_author_ids(author_ids: Iterable[int] | None, author_name: str | None) -> Iterable[int] | None:
    """The author ids a book write names: `author_ids`, or brief 001's single `author` name (found or created)."""
    if author_name is None:
        return author_ids
    if author_ids is not None:
        raise AuthorNameAndIdsError()
    return [author_get_or_create_by_name(name=author_name).pk]


def _authors_known(book: Book, authors: list[Author]) -> None:
    """Make `book.authors.all()` answer `authors` (already in the model's order: name, then id) without a query,
    as `prefetch_related("authors")` would have stored them."""
    queryset = book.authors.all()
    queryset._result_cache, queryset._prefetch_done = authors, True
    book._prefetched_objects_cache = {"authors": queryset}


def _record_book_event(event_type: str, book: Book) -> None:
    outbox_record(event_type=event_type, aggregate_id=book.pk, payload=book_event_payload(book))


def book_create(
    *, title: str, published_on: date, author_ids: Iterable[int] | None = None, author_name: str | None = None
) -> Book:
    book_publication_date_check(published_on=published_on)
    if author_name is not None or not author_ids:
        return _book_create_by_name(
            title=title, published_on=published_on, author_ids=author_ids, author_name=author_name
        )
    # The common case: existing authors by id, written with one statement (books/statements.py).
    wanted, now = sorted(set(author_ids)), timezone.now()
    book_id, authors = book_insert_statement(title=title, published_on=published_on, author_ids=wanted, now=now)
    if book_id is None:
        missing = sorted(set(wanted) - {author["id"] for author in authors})
        raise UnknownAuthorsError(f"Unknown author ids: {', '.join(map(str, missing))}.", author_ids=missing)
    book = Book.from_db(
        connection.alias,
        ["id", "title", "published_on", "rating_sum", "rating_count", "rating", "created_at", "updated_at"],
        [book_id, title, published_on, 0, 0, None, now, now],
    )
    _authors_known(book, [Author.from_db(connection.alias, ["id", "name"], [a["id"], a["name"]]) for a in authors])
    invalidate_on_commit(author_ids=wanted)
    return book


@transaction.atomic
def _book_create_by_name(
    *, title: str, published_on: date, author_ids: Iterable[int] | None, author_name: str | None
) -> Book:
    """Brief 001's `author` name (found or created), or no authors at all (refused), through the ORM."""
    authors = _lock_authors(_book_author_ids(author_ids, author_name) or ())
    book = Book.objects.create(title=title, published_on=published_on)  # RETURNING gives the generated rating
    book.authors.add(*authors)
    _authors_known(book, authors)  # one author: the new book is what this transaction wrote, no need to read it
    _record_book_event(OutboxEvent.Type.BOOK_CREATED, book)
    invalidate_on_commit(author_ids=[author.pk for author in authors])
    return book


@transaction.atomic
def book_update(
    *,
    book_id: int,
    title: str | None = None,
    published_on: date | None = None,
    author_ids: Iterable[int] | None = None,
    author_name: str | None = None,
) -> Book:
    """Change the given fields (None = keep). Only a real change writes, emits `book.updated` and invalidates."""
    author_ids = _book_author_ids(author_ids, author_name)
    authors = _lock_authors(author_ids) if author_ids is not None else None
    book = _lock_book(book_id)
    old_author_ids = set(book.authors.values_list("id", flat=True))
    changed_fields = []
    if title is not None and title != book.title:
        book.title = title
        changed_fields.append("title")
    if published_on is not None and published_on != book.published_on:
        book_publication_date_check(published_on=published_on)
        book.published_on = published_on
        changed_fields.append("published_on")
    new_author_ids = {author.pk for author in authors} if authors is not None else old_author_ids
    if not changed_fields and new_author_ids == old_author_ids:
        return book_get(book_id=book.pk)
    book.save(update_fields=[*changed_fields, "updated_at"])
    if new_author_ids != old_author_ids:
        book.authors.set(authors)
    book = book_get(book_id=book.pk)
    _record_book_event(OutboxEvent.Type.BOOK_UPDATED, book)
    invalidate_on_commit(book_ids=[book.pk], author_ids=old_author_ids | new_author_ids)
    return book


@transaction.atomic
def book_delete(*, book_id: int) -> None:
    book = _lock_book(book_id)
    author_ids = list(book.authors.values_list("id", flat=True))
    payload = {"id": book.pk, "title": book.title}
    book.delete()
    outbox_record(event_type=OutboxEvent.Type.BOOK_DELETED, aggregate_id=book_id, payload=payload)
    invalidate_on_commit(book_ids=[book_id], author_ids=author_ids)


def _check_score(score: object) -> None:
    if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidScoreError(f"score must be an integer from {MIN_SCORE} to {MAX_SCORE}.", score=score)


def _apply_score_change(book: Book, *, delta_sum: int, delta_count: int) -> Book:
    Book.objects.filter(pk=book.pk).update(
        rating_sum=F("rating_sum") + delta_sum, rating_count=F("rating_count") + delta_count
    )
    book.refresh_from_db(fields=["rating_sum", "rating_count", "rating"])
    invalidate_on_commit(book_ids=[book.pk], author_ids=book.authors.values_list("id", flat=True))
    return book


@transaction.atomic
def book_rate(*, book_id: int, user: AbstractBaseUser, score: int) -> Book:
    """Create or replace the user's score; the book's sum/count change by SQL expressions in this transaction."""
    _check_score(score)
    # The book row lock serializes every score change of this book, so the previous score read below is the
    # one the delta is computed against, even when the same user re-rates from two requests at once.
    book = _lock_book(book_id)
    previous = Rating.objects.select_for_update().filter(book_id=book.pk, user_id=user.pk).first()
    if previous is None:
        Rating.objects.create(book_id=book.pk, user_id=user.pk, score=score)
        return _apply_score_change(book, delta_sum=score, delta_count=1)
    if previous.score == score:
        return book
    Rating.objects.filter(pk=previous.pk).update(score=score, updated_at=timezone.now())
    return _apply_score_change(book, delta_sum=score - previous.score, delta_count=0)


@transaction.atomic
def book_rating_withdraw(*, book_id: int, user: AbstractBaseUser) -> Book:
    """Remove the user's score; with no scores left the rating is back to null."""
    book = _lock_book(book_id)
    rating = Rating.objects.select_for_update().filter(book_id=book.pk, user_id=user.pk).first()
    if rating is None:
        raise RatingNotFoundError(f"You have not rated book {book_id}.", book_id=book_id)
    rating.delete()
    return _apply_score_change(book, delta_sum=-rating.score, delta_count=-1)


@transaction.atomic
def author_create(*, name: str, bio: str = "") -> Author:
    author = Author.objects.create(name=name, bio=bio)
    author.books_count = 0
    return author


def _lock_author(author_id: int, *, for_delete: bool) -> Author:
    try:
        # A rename takes FOR NO KEY UPDATE, which does not block book writes holding the author FOR KEY SHARE.
        return Author.objects.select_for_update(no_key=not for_delete).get(pk=author_id)
    except Author.DoesNotExist:
        raise AuthorNotFoundError(not_found_message("author", author_id), author_id=author_id) from None


@transaction.atomic
def author_update(*, author_id: int, name: str | None = None, bio: str | None = None) -> Author:
    """Rename / re-describe an author. Their books show the name, so their cached payloads are invalidated too;
    a rename is not a change of the book itself and emits no book event."""
    author = _lock_author(author_id, for_delete=False)
    changes = {field: value for field, value in (("name", name), ("bio", bio)) if value is not None}
    changed_fields = [field for field, value in changes.items() if getattr(author, field) != value]
    for field in changed_fields:
        setattr(author, field, changes[field])
    if changed_fields:
        author.save(update_fields=[*changed_fields, "updated_at"])
        renamed = "name" in changed_fields  # books and lists show the name, not the bio
        book_ids = Book.objects.filter(authors=author).values_list("id", flat=True) if renamed else ()
        invalidate_on_commit(book_ids=book_ids, author_ids=[author.pk], lists=renamed)
    author.books_count = Book.objects.filter(authors=author).count()
    return author


@transaction.atomic
def author_delete(*, author_id: int) -> None:
    """Delete an author and remove them from their books (each such book gets `book.updated`).

    Refused with `AuthorIsSoleAuthorError` (409) while they are the only author of any book.
    """
    author = _lock_author(author_id, for_delete=True)
    book_ids = list(Book.objects.select_for_update().filter(authors=author).order_by("pk").values_list("id", flat=True))
    sole = list(
        Book.objects.filter(pk__in=book_ids)
        .annotate(authors_count=Count("authors"))
        .filter(authors_count=1)
        .order_by("id")
        .values("id", "title")
    )
    if sole:
        raise AuthorIsSoleAuthorError(
            f"Author {author_id} is the only author of {len(sole)} book(s); delete or re-assign them first.",
            books=sole,
        )
    author.delete()
    Book.objects.filter(pk__in=book_ids).update(updated_at=timezone.now())
    for book in Book.objects.filter(pk__in=book_ids).prefetch_related("authors").order_by("pk"):
        _record_book_event(OutboxEvent.Type.BOOK_UPDATED, book)
    invalidate_on_commit(book_ids=book_ids, author_ids=[author_id])


@transaction.atomic
def user_ratings_withdraw(*, user: AbstractBaseUser) -> int:
    """Withdraw every score of a user, book by book in id order (the lock order), keeping the counters exact.

    Runs before a user is deleted (books/signals.py): the cascade would otherwise drop the Rating rows without
    updating `rating_sum`/`rating_count`.
    """
    book_ids = list(Rating.objects.filter(user_id=user.pk).order_by("book_id").values_list("book_id", flat=True))
    for book_id in book_ids:
        book_rating_withdraw(book_id=book_id, user=user)
    return len(book_ids)
