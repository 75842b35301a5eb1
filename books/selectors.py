"""Reads of books and authors; each returns a QuerySet (or object) with its related rows already planned,
so every caller - REST, admin, gRPC - runs the same constant number of queries."""

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from books.exceptions import AuthorNotFoundError, BookNotFoundError, RatingNotFoundError
from books.models import Author, Book, Rating

TOP_BOOKS = 5

# `?ordering=` values; rating orders keep unrated books (NULL) last in both directions, id breaks ties.
BOOK_ORDERINGS = {
    "title": (F("title").asc(), "id"),
    "-title": (F("title").desc(), "-id"),
    "published_on": (F("published_on").asc(), "id"),
    "-published_on": (F("published_on").desc(), "-id"),
    "rating": (F("rating").asc(nulls_last=True), "id"),
    "-rating": (F("rating").desc(nulls_last=True), F("rating_count").desc(), "id"),
}


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
        raise BookNotFoundError(f"Book {book_id} not found.", book_id=book_id) from None


def rating_score_get(*, book_id: int, user_id: int) -> int | None:
    """The user's current score for the book, or None (one query, no existence check of the book)."""
    return Rating.objects.filter(book_id=book_id, user_id=user_id).values_list("score", flat=True).first()


def rating_get(*, book_id: int, user_id: int) -> Rating:
    """The user's rating of the book; `BookNotFoundError` or `RatingNotFoundError`."""
    rating = Rating.objects.filter(book_id=book_id, user_id=user_id).select_related("book").first()
    if rating is not None:
        return rating
    if not Book.objects.filter(pk=book_id).exists():
        raise BookNotFoundError(f"Book {book_id} not found.", book_id=book_id)
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
        raise AuthorNotFoundError(f"Author {author_id} not found.", author_id=author_id) from None


def author_top_books(*, author_id: int, limit: int = TOP_BOOKS) -> list[Book]:
    """The author's best-rated books: rating desc (unrated last), then rating_count desc, then title."""
    return list(
        Book.objects.filter(authors=author_id)
        .only("id", "title", "published_on", "rating", "rating_count")
        .order_by(F("rating").desc(nulls_last=True), "-rating_count", "title", "id")[:limit]
    )
