"""The REST API of the books app: one module per resource, views re-exported for books/urls.py."""

from books.api.authors import AuthorDetailApi, AuthorListApi
from books.api.books import BookDetailApi, BookListApi, BookRatingApi

__all__ = ["AuthorDetailApi", "AuthorListApi", "BookDetailApi", "BookListApi", "BookRatingApi"]
