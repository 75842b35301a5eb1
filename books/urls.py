from django.urls import path

from books import api

urlpatterns = [
    path("books", api.BooksApi.as_view(), name="books"),
    path("books/<int:book_id>", api.BookApi.as_view(), name="book"),
    path("books/<int:book_id>/rating", api.BookRatingApi.as_view(), name="book-rating"),
    path("authors", api.AuthorsApi.as_view(), name="authors"),
    path("authors/<int:author_id>", api.AuthorApi.as_view(), name="author"),
]
