"""drf-spectacular documentation pieces shared by the books and authors endpoints: error responses and examples."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from books.serializers import ErrorSerializer

BOOK_EXAMPLE = {
    "id": 42,
    "title": "The Pragmatic Programmer",
    "published_on": "1999-10-20",
    "authors": [{"id": 7, "name": "Andrew Hunt"}, {"id": 8, "name": "David Thomas"}],
    "rating": "4.33",
    "rating_count": 3,
    "created_at": "2026-11-23T15:00:00Z",
    "updated_at": "2026-11-23T15:00:00Z",
}
BOOK_DETAIL_EXAMPLE = {**BOOK_EXAMPLE, "my_rating": 5}
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
            "rating": "4.33",
            "rating_count": 3,
        },
        {
            "id": 43,
            "title": "Practices of an Agile Developer",
            "published_on": "2006-03-01",
            "rating": None,
            "rating_count": 0,
        },
    ],
}


def _error(description: str, *examples: tuple[str, dict]) -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description,
        examples=[OpenApiExample(name, value, response_only=True) for name, value in examples],
    )


ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Invalid input: `{"field": ["message"]}` naming each bad field, or a domain error '
    '`{"detail", "code", ...}`.',
    examples=[
        OpenApiExample("bad field", {"published_on": ["Date has wrong format. Use YYYY-MM-DD."]}, response_only=True),
        OpenApiExample(
            "unknown author",
            {"detail": "Unknown author ids: 999.", "code": "unknown_authors", "author_ids": [999]},
            response_only=True,
        ),
    ],
)
ERROR_401 = _error(
    "Missing, invalid or expired JWT.",
    ("no token", {"detail": "Authentication credentials were not provided."}),
    ("bad token", {"detail": "Given token not valid for any token type", "code": "token_not_valid"}),
)
BOOK_404 = _error(
    "No such book.", ("not found", {"detail": "Book 42 not found.", "code": "book_not_found", "book_id": 42})
)
RATING_404 = _error(
    "No such book, or you have not rated it.",
    ("not rated", {"detail": "You have not rated book 42.", "code": "rating_not_found", "book_id": 42}),
)
AUTHOR_404 = _error(
    "No such author.", ("not found", {"detail": "Author 7 not found.", "code": "author_not_found", "author_id": 7})
)
AUTHOR_409 = _error(
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
NO_CONTENT = OpenApiResponse(description="Done; no body.")
