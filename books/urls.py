from django.urls import path

from books.api import AuthorDetailApi, AuthorListApi, BookDetailApi, BookListApi, BookRatingApi

urlpatterns = [
    path("books", BookListApi.as_view(), name="books"),
    path("books/<int:book_id>", BookDetailApi.as_view(), name="book"),
    path("books/<int:book_id>/rating", BookRatingApi.as_view(), name="book-rating"),
    path("authors", AuthorListApi.as_view(), name="authors"),
    path("authors/<int:author_id>", AuthorDetailApi.as_view(), name="author"),
]
