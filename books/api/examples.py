"""OpenAPI examples and error responses of the books, ratings and authors endpoints (built with config.api)."""

from drf_spectacular.utils import OpenApiExample

from config.api import error_response, validation_error_response

BOOK_EXAMPLE = {
    "id": 42,
    "title": "The Pragmatic Programmer",
    "author": "Andrew Hunt, David Thomas",
    "authors": [{"id": 7, "name": "Andrew Hunt"}, {"id": 8, "name": "David Thomas"}],
    "published_on": "1999-10-20",
    "rating": 4.33,
    "rating_count": 3,
    "created_at": "2026-11-23T15:00:00Z",
    "updated_at": "2026-11-23T15:00:00Z",
}
BOOK_DETAIL_EXAMPLE = {**BOOK_EXAMPLE, "my_rating": 5}
NEW_BOOK_EXAMPLE = {**BOOK_EXAMPLE, "rating": None, "rating_count": 0, "my_rating": None}
BRIEF_001_BOOK_EXAMPLE = {
    **NEW_BOOK_EXAMPLE,
    "id": 43,
    "title": "New Book",
    "author": "New Author",
    "authors": [{"id": 9, "name": "New Author"}],
    "published_on": "2024-01-01",
}
AUTHOR_EXAMPLE = {
    "id": 7,
    "name": "Andrew Hunt",
    "bio": "Co-author of The Pragmatic Programmer.",
    "books_count": 3,
    "created_at": "2026-11-23T15:00:00Z",
    "updated_at": "2026-11-23T15:00:00Z",
}
AUTHOR_DETAIL_EXAMPLE = {
    **AUTHOR_EXAMPLE,
    "top_books": [
        {
            "id": 42,
            "title": "The Pragmatic Programmer",
            "published_on": "1999-10-20",
            "rating": 4.33,
            "rating_count": 3,
        },
        {"id": 44, "title": "Pragmatic Thinking", "published_on": "2008-10-01", "rating": None, "rating_count": 0},
    ],
}
RATING_EXAMPLE = {"score": 5, "rating": 4.33, "rating_count": 3}


def page(item: dict) -> dict:
    return {"count": 1, "items": [item]}


BOOK_REQUESTS = [
    OpenApiExample(
        "by author ids",
        {"title": "The Pragmatic Programmer", "published_on": "1999-10-20", "author_ids": [7, 8]},
        request_only=True,
        description="Authors are existing records, at least one.",
    ),
    OpenApiExample(
        "by author name",
        {"title": "New Book", "author": "New Author", "published_on": "2024-01-01"},
        request_only=True,
        description="`author` names one author: the one with exactly this name, or a new one. Not with `author_ids`.",
    ),
]
BOOK_PATCH_REQUESTS = [
    OpenApiExample("new title", {"title": "The Pragmatic Programmer, 2nd ed."}, request_only=True),
    OpenApiExample("new author by name", {"author": "David Thomas"}, request_only=True),
]
AUTHOR_REQUESTS = [
    OpenApiExample(
        "author", {"name": "Andrew Hunt", "bio": "Co-author of The Pragmatic Programmer."}, request_only=True
    )
]

BOOK_400 = validation_error_response(
    ("bad field", {"published_on": ["Date has wrong format. Use YYYY-MM-DD."]}),
    ("future date", {"published_on": ["The publication date 2999-01-01 is in the future."]}),
    ("author and author_ids", {"author": ["Give either `author` (one author's name) or `author_ids`, not both."],
                               "author_ids": ["Give either `author` (one author's name) or `author_ids`, not both."]}),
    ("unknown author", {"detail": "Unknown author ids: 999.", "code": "unknown_authors", "author_ids": [999]}),
)  # fmt: skip
LIST_400 = validation_error_response(
    ("bad ordering", {"ordering": ['"author" is not a valid choice.']}),
    ("bad page", {"limit": ["Ensure this value is less than or equal to 100."]}),
)
RATING_400 = validation_error_response(
    ("string score", {"score": ["A valid integer is required (a JSON number, not a string)."]}),
    ("out of range", {"score": ["Ensure this value is less than or equal to 5."]}),
)
AUTHOR_400 = validation_error_response(("missing name", {"name": ["This field is required."]}))
BOOK_404 = error_response(
    "No such book.", ("not found", {"detail": "Book 42 not found.", "code": "book_not_found", "book_id": 42})
)
RATING_404 = error_response(
    "No such book, or you have not rated it.",
    ("not rated", {"detail": "You have not rated book 42.", "code": "rating_not_found", "book_id": 42}),
    ("no book", {"detail": "Book 42 not found.", "code": "book_not_found", "book_id": 42}),
)
AUTHOR_404 = error_response(
    "No such author.", ("not found", {"detail": "Author 7 not found.", "code": "author_not_found", "author_id": 7})
)
AUTHOR_409 = error_response(
    "The author is the only author of some books.",
    (
        "sole author",
        {
            "detail": "Author 7 is the only author of 1 book(s); delete or re-assign them first.",
            "code": "author_is_sole_author",
            "books": [{"id": 42, "title": "The Pragmatic Programmer"}],
        },
    ),
)
