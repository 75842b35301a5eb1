"""REST endpoints of books and ratings: validate, call one service or selector, answer.

Reads come from the cached payload selectors (books/selectors.py); the per-user `my_rating` is never part of a
cached payload, it is added per request.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from books.api import examples
from books.api.auth import JWTReadAuthentication
from books.selectors import book_detail_for_reader, book_list_page, rating_get, rating_score_get
from books.serializers import (
    BookDetailOutputSerializer,
    BookInputSerializer,
    BookListParamsSerializer,
    BookOutputSerializer,
    RatingInputSerializer,
    RatingOutputSerializer,
)
from books.services import book_create, book_delete, book_rate, book_rating_withdraw, book_update
from config.api import ERROR_401, NO_CONTENT, validate_or_400
from config.pagination import LimitOffsetPagination, page_params
from config.parsers import JSONParser

BOOK_WRITE_NOTE = (
    "Name the authors either with `author_ids` (existing authors) or with `author`, one author's name: "
    "the author with exactly that name is used, or created if there is none (two requests naming the "
    "same new author at once still make one author). Both at once is a 400 naming both fields. The publication "
    "date must not be in the future."
)


class BookListApi(APIView):
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset
    parser_classes = [JSONParser]
    authentication_classes = [JWTReadAuthentication]

    @extend_schema(
        tags=["books"],
        summary="List books",
        description="One page of books, each with all its authors and `author` (their names joined by `, `). "
        "Filters combine; `ordering=-rating` puts unrated books last and breaks ties by more votes, then lower id. "
        "Unfiltered pages of the usual sizes are served from the shared cache.",
        parameters=[BookListParamsSerializer],
        responses={200: BookOutputSerializer(many=True), 400: examples.LIST_400, 401: ERROR_401},
        examples=[OpenApiExample("page", examples.BOOK_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        params = validate_or_400(BookListParamsSerializer, request.query_params)
        limit, offset = page_params(request)
        return Response(
            book_list_page(
                limit=limit,
                offset=offset,
                ordering=params.get("ordering"),
                search=params.get("search"),
                author_id=params.get("author"),
                published_after=params.get("published_after"),
                published_before=params.get("published_before"),
            )
        )

    @extend_schema(
        tags=["books"],
        summary="Create a book",
        description=BOOK_WRITE_NOTE + " Emits `book.created`.",
        request=BookInputSerializer,
        responses={201: BookDetailOutputSerializer, 400: examples.BOOK_400, 401: ERROR_401},
        examples=[
            *examples.BOOK_REQUESTS,
            OpenApiExample("created", examples.NEW_BOOK_EXAMPLE, response_only=True, status_codes=["201"]),
            OpenApiExample(
                "created by name", examples.BRIEF_001_BOOK_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        book = book_create(**validate_or_400(BookInputSerializer, request.data))
        return Response({**BookOutputSerializer(book).data, "my_rating": None}, status=status.HTTP_201_CREATED)


class BookDetailApi(APIView):
    parser_classes = [JSONParser]
    authentication_classes = [JWTReadAuthentication]

    @extend_schema(
        tags=["books"],
        summary="Get a book with all its authors",
        description="The book with every author, its rating (a number, null while unrated) and your own score "
        "`my_rating`. Served from the shared cache, `my_rating` included (cached per reader, invalidated by the "
        "book's writes and ratings).",
        responses={200: BookDetailOutputSerializer, 401: ERROR_401, 404: examples.BOOK_404},
        examples=[OpenApiExample("book", examples.BOOK_DETAIL_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, book_id: int) -> Response:
        return Response(book_detail_for_reader(book_id=book_id, user_id=request.user.pk))

    @extend_schema(
        tags=["books"],
        summary="Replace a book",
        description="Every field is required. " + BOOK_WRITE_NOTE + " A real change emits `book.updated`.",
        request=BookInputSerializer,
        responses={200: BookDetailOutputSerializer, 400: examples.BOOK_400, 401: ERROR_401, 404: examples.BOOK_404},
        examples=[*examples.BOOK_REQUESTS, OpenApiExample("book", examples.BOOK_DETAIL_EXAMPLE, response_only=True)],
    )
    def put(self, request: Request, book_id: int) -> Response:
        return self._update(request, book_id, partial=False)

    @extend_schema(
        tags=["books"],
        summary="Change some fields of a book",
        description="Only the given fields change. " + BOOK_WRITE_NOTE + " A real change emits `book.updated`.",
        request=BookInputSerializer(partial=True),
        responses={200: BookDetailOutputSerializer, 400: examples.BOOK_400, 401: ERROR_401, 404: examples.BOOK_404},
        examples=[
            *examples.BOOK_PATCH_REQUESTS,
            OpenApiExample("book", examples.BOOK_DETAIL_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, book_id: int) -> Response:
        return self._update(request, book_id, partial=True)

    def _update(self, request: Request, book_id: int, *, partial: bool) -> Response:
        book = book_update(book_id=book_id, **validate_or_400(BookInputSerializer, request.data, partial=partial))
        my_rating = rating_score_get(book_id=book.pk, user_id=request.user.pk)
        return Response({**BookOutputSerializer(book).data, "my_rating": my_rating})

    @extend_schema(
        tags=["books"],
        summary="Delete a book",
        description="Deletes the book and its scores; emits `book.deleted`.",
        responses={204: NO_CONTENT, 401: ERROR_401, 404: examples.BOOK_404},
    )
    def delete(self, request: Request, book_id: int) -> Response:
        book_delete(book_id=book_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookRatingApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["books"],
        summary="Your score for a book",
        description="Your own score with the book's current rating and number of scores.",
        responses={200: RatingOutputSerializer, 401: ERROR_401, 404: examples.RATING_404},
        examples=[OpenApiExample("rated", examples.RATING_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, book_id: int) -> Response:
        rating = rating_get(book_id=book_id, user_id=request.user.pk)
        return Response(
            RatingOutputSerializer(
                {"score": rating.score, "rating": rating.book.rating, "rating_count": rating.book.rating_count}
            ).data
        )

    @extend_schema(
        tags=["books"],
        summary="Rate a book 1..5",
        description='Creates or replaces your score, a JSON integer from 1 to 5 (`"5"`, `4.0` and `true` are '
        "refused). The rating is the mean of the current scores, rounded to 2 decimals.",
        request=RatingInputSerializer,
        responses={200: RatingOutputSerializer, 400: examples.RATING_400, 401: ERROR_401, 404: examples.BOOK_404},
        examples=[
            OpenApiExample("score", {"score": 5}, request_only=True),
            OpenApiExample("rated", examples.RATING_EXAMPLE, response_only=True),
        ],
    )
    def put(self, request: Request, book_id: int) -> Response:
        data = validate_or_400(RatingInputSerializer, request.data)
        book = book_rate(book_id=book_id, user=request.user, score=data["score"])
        return Response(
            RatingOutputSerializer(
                {"score": data["score"], "rating": book.rating, "rating_count": book.rating_count}
            ).data
        )

    @extend_schema(
        tags=["books"],
        summary="Withdraw your score",
        description="Removes your score; with no scores left the rating is null again.",
        responses={204: NO_CONTENT, 401: ERROR_401, 404: examples.RATING_404},
    )
    def delete(self, request: Request, book_id: int) -> Response:
        book_rating_withdraw(book_id=book_id, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
