"""Reads of books and authors. QuerySet selectors plan their related rows, so every caller - REST, admin, gRPC -
runs the same constant number of queries; the `*_payload` / `*_page` selectors return the JSON-ready dicts the
API answers with, built from `.values()` rows (no model instances, no serializer) and cached where that is safe.
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject

from books.cache import LISTS, author_scope, book_scope, cached, cached_many, list_slot
from books.exceptions import AuthorNotFoundError, BookNotFoundError, RatingNotFoundError
from books.models import Author, Book, Rating
from config.api import not_found_message
from config.prepared import PreparedQuery

TOP_BOOKS = 5

# The one tie-break of equal ratings, for `?ordering=-rating` and an author's top books alike: rating desc
# (unrated last), then more votes first, then the older book (lower id) first.
BEST_RATED_FIRST = (F("rating").desc(nulls_last=True), F("rating_count").desc(), "id")

# `?ordering=` values; rating orders keep unrated books (NULL) last in both directions, id breaks ties.
BOOK_ORDERINGS = {
    "title": (F("title").asc(), "id"),
    "-title": (F("title").desc(), "-id"),
    "published_on": (F("published_on").asc(), "id"),
    "-published_on": (F("published_on").desc(), "-id"),
    "rating": (F("rating").asc(nulls_last=True), "id"),
    "-rating": BEST_RATED_FIRST,
}
BOOK_FIELDS = ("id", "title", "published_on", "rating", "rating_count", "created_at", "updated_at")
AUTHOR_FIELDS = ("id", "name", "bio", "books_count", "created_at", "updated_at")
TOP_BOOK_FIELDS = ("id", "title", "published_on", "rating", "rating_count")


def book_list(
    *,
    search: str | None = None,
    author_id: int | None = None,
    published_after: date | None = None,
    published_before: date | None = None,
    ordering: str | None = None,
) -> QuerySet[Book]:
    """Books with their authors prefetched; `search` matches the title or an author's name, case-insensitively.

    `published_after`/`published_before` are inclusive bounds. Without `ordering` the list is by id.
    """
    books = Book.objects.prefetch_related("authors")
    if search:
        # EXISTS instead of a join: a book with two matching authors appears once, and COUNT needs no DISTINCT.
        by_author = Book.authors.through.objects.filter(book_id=OuterRef("pk"), author__name__icontains=search)
        books = books.filter(Q(title__icontains=search) | Exists(by_author))
    if author_id is not None:
        books = books.filter(Exists(Book.authors.through.objects.filter(book_id=OuterRef("pk"), author_id=author_id)))
    if published_after is not None:
        books = books.filter(published_on__gte=published_after)
    if published_before is not None:
        books = books.filter(published_on__lte=published_before)
    return books.order_by(*BOOK_ORDERINGS.get(ordering or "", ("id",)))


def book_get(*, book_id: int) -> Book:
    """One book with its authors prefetched; `BookNotFoundError` if there is none."""
    try:
        return Book.objects.prefetch_related("authors").get(pk=book_id)
    except Book.DoesNotExist:
        raise BookNotFoundError(not_found_message("book", book_id), book_id=book_id) from None


def rating_score_get(*, book_id: int, user_id: int) -> int | None:
    """The user's current score for the book, or None (one query, no existence check of the book)."""
    return Rating.objects.filter(book_id=book_id, user_id=user_id).values_list("score", flat=True).first()


def rating_get(*, book_id: int, user_id: int) -> Rating:
    """The user's rating of the book; `BookNotFoundError` or `RatingNotFoundError`."""
    rating = Rating.objects.filter(book_id=book_id, user_id=user_id).select_related("book").first()
    if rating is not None:
        return rating
    if not Book.objects.filter(pk=book_id).exists():
        raise BookNotFoundError(not_found_message("book", book_id), book_id=book_id)
    raise RatingNotFoundError(f"You have not rated book {book_id}.", book_id=book_id)


def author_list(*, search: str | None = None) -> QuerySet[Author]:
    """Authors by name with `books_count`; `search` matches the name case-insensitively."""
    authors = Author.objects.annotate(books_count=Count("books")).order_by("name", "id")
    if search:
        authors = authors.filter(name__icontains=search)
    return authors


def author_get(*, author_id: int) -> Author:
    """One author with `books_count`; `AuthorNotFoundError` if there is none."""
    try:
        return Author.objects.annotate(books_count=Count("books")).get(pk=author_id)
    except Author.DoesNotExist:
        raise AuthorNotFoundError(not_found_message("author", author_id), author_id=author_id) from None


def author_top_books(*, author_id: int, limit: int = TOP_BOOKS) -> QuerySet[Book]:
    """The author's best-rated books, ordered like `?ordering=-rating`."""
    return Book.objects.filter(authors=author_id).order_by(*BEST_RATED_FIRST)[:limit]


# --- JSON-ready payloads: what REST answers and gRPC / events can reuse ------------------------------------------


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, as DRF renders a DateTimeField."""
    value = moment.astimezone(UTC).isoformat()
    return value[:-6] + "Z" if value.endswith("+00:00") else value


def _rating(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def book_representation(row: dict[str, Any], authors: list[dict[str, Any]]) -> dict[str, Any]:
    """A book as every answer shows it; `row` has BOOK_FIELDS, `authors` is `[{"id", "name"}]` in name order."""
    return {
        "id": row["id"],
        "title": row["title"],
        "author": ", ".join(author["name"] for author in authors),  # brief 001's single string
        "authors": authors,
        "published_on": row["published_on"].isoformat(),
        "rating": _rating(row["rating"]),
        "rating_count": row["rating_count"],
        "created_at": iso_timestamp(row["created_at"]),
        "updated_at": iso_timestamp(row["updated_at"]),
    }


def _with_authors(books: QuerySet[Book]) -> QuerySet:
    """`.values()` rows of `books` with their authors as one array column (a correlated subquery per row)."""
    authors = (
        Author.objects.filter(books=OuterRef("pk")).order_by("name", "id").values(json=JSONObject(id="id", name="name"))
    )
    return books.prefetch_related(None).values(*BOOK_FIELDS, authors_json=ArraySubquery(authors))


def _page(books: QuerySet[Book], *, offset: int, limit: int) -> QuerySet[Book]:
    """The books of one page, in the same order, found by id first: PostgreSQL then builds the authors of these
    `limit` rows only, not of the `offset` rows it skips."""
    page_ids = books.values("pk")[offset : offset + limit]
    return Book.objects.filter(pk__in=page_ids).order_by(*books.query.order_by)


def _book_payload(row: dict[str, Any]) -> dict[str, Any]:
    return book_representation(row, row["authors_json"])


def book_detail_payload(*, book_id: int) -> dict[str, Any]:
    """`GET /books/{id}` without the caller's `my_rating`: one query on a miss, cached per book."""
    return cached(book_scope(book_id), f"book:{book_id}", lambda: _book_detail_build(book_id))


def book_detail_for_reader(*, book_id: int, user_id: int) -> dict[str, Any]:
    """`GET /books/{id}` with the reader's `my_rating`: one cache round trip when both are cached, else a query for
    each part missing. The reader's score is cached in the book's scope, so rating the book invalidates it."""
    book_name, score_name = f"book:{book_id}", f"book:{book_id}:score:{user_id}"
    found = cached_many(
        book_scope(book_id),
        {
            book_name: (book_name, lambda: _book_detail_build(book_id)),
            score_name: (score_name, lambda: rating_score_get(book_id=book_id, user_id=user_id)),
        },
    )
    return {**found[book_name], "my_rating": found[score_name]}


def _book_detail_build(book_id: int) -> dict[str, Any]:
    row = _with_authors(Book.objects.filter(pk=book_id)).first()
    if row is None:
        raise BookNotFoundError(not_found_message("book", book_id), book_id=book_id)
    return _book_payload(row)


def list_cache_name(*, limit: int, offset: int, **params: Any) -> str | None:
    """A stable name of a `GET /books` page, or None when it is beyond the cached first pages."""
    if offset + limit > settings.BOOKS_CACHE_LIST_MAX_ROWS:
        return None
    given = {key: value for key, value in params.items() if value not in (None, "")}
    return "list?" + "&".join(f"{key}={given[key]}" for key in sorted(given)) + f"&limit={limit}&offset={offset}"


def book_list_page(*, limit: int, offset: int, ordering: str | None = None, **filters: Any) -> dict[str, Any]:
    """`{"count", "items"}` of one `GET /books` page: two queries (count, page with authors) on a miss."""

    def build() -> dict[str, Any]:
        books = book_list(ordering=ordering, **filters)
        count = books.count()
        rows = _with_authors(_page(books, offset=offset, limit=limit)) if offset < count else []
        return {"count": count, "items": [_book_payload(row) for row in rows]}

    name = list_cache_name(limit=limit, offset=offset, ordering=ordering, **filters)
    return cached(LISTS, name, build, slot=list_slot(name)) if name else build()


def book_keyset_page(*, after_id: int, limit: int, author_id: int | None = None) -> dict[str, Any]:
    """`{"items", "has_more", "total"}`: the next `limit` books by id after `after_id` (gRPC ListBooks).

    Keyset paging: a page is "the next ids after the cursor", so books inserted meanwhile never shift a page. Two
    queries on a miss (count, page with authors); cached in the list scope like the REST pages, so every write a
    list could show invalidates it.
    """

    def build() -> dict[str, Any]:
        books = book_list(author_id=author_id)
        rows = list(_with_authors(books.filter(pk__gt=after_id)[: limit + 1]))
        return {"items": [_book_payload(row) for row in rows[:limit]], "has_more": len(rows) > limit,
                "total": books.count()}  # fmt: skip

    name = f"keyset?after={after_id}&limit={limit}&author={author_id}"
    return cached(LISTS, name, build, slot=list_slot(name))


def author_representation(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "bio": row["bio"],
        "books_count": row["books_count"],
        "created_at": iso_timestamp(row["created_at"]),
        "updated_at": iso_timestamp(row["updated_at"]),
    }


def author_list_page(*, limit: int, offset: int, search: str | None = None) -> dict[str, Any]:
    """`{"count", "items"}` of one `GET /authors` page: two queries (count, page with books_count)."""
    authors = author_list(search=search)
    count = authors.count()
    rows = authors.values(*AUTHOR_FIELDS)[offset : offset + limit] if offset < count else []
    return {"count": count, "items": [author_representation(row) for row in rows]}


def _author_detail_query(author_id: int) -> QuerySet:
    top_books = author_top_books(author_id=OuterRef("pk")).values(
        json=JSONObject(**{field: field for field in TOP_BOOK_FIELDS})
    )
    return (
        author_list()
        .filter(pk=author_id)
        .annotate(top_books=ArraySubquery(top_books))
        .values(*AUTHOR_FIELDS, "top_books")
    )


_AUTHOR_DETAIL = PreparedQuery(_author_detail_query)


def author_detail_payload(*, author_id: int) -> dict[str, Any]:
    """`GET /authors/{id}` with the top books: one query on a miss (top books as a JSON array), cached per author."""

    def build() -> dict[str, Any]:
        rows = _AUTHOR_DETAIL.rows(author_id)
        if not rows:
            raise AuthorNotFoundError(not_found_message("author", author_id), author_id=author_id)
        # jsonb already made `published_on` an ISO date and `rating` a number.
        top_books = [json.loads(book) if isinstance(book, str) else book for book in rows[0]["top_books"]]
        return {**author_representation(rows[0]), "top_books": top_books}

    return cached(author_scope(author_id), f"author:{author_id}", build)
