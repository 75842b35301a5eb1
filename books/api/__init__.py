"""The REST API of the books app: one module per resource, views re-exported for books/urls.py."""

from books.api.authors import AuthorApi, AuthorsApi
from books.api.books import BookApi, BookRatingApi, BooksApi

__all__ = ["AuthorApi", "AuthorsApi", "BookApi", "BookRatingApi", "BooksApi"]
