"""REST endpoints of books and ratings: parse, call one service or selector, serialize.

`GET /books/{id}` and the first pages of `GET /books` are served from the shared cache (books/cache.py); the
per-user `my_rating` is never part of a cached payload, it is added per request.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from books import schema
from books.cache import LISTS, book_scope, cached, list_cache_name
from books.selectors import book_get, book_list, rating_get, rating_score_get
from books.serializers import (
    BookDetailOutputSerializer,
    BookInputSerializer,
    BookListParamsSerializer,
    BookOutputSerializer,
    RatingInputSerializer,
    RatingOutputSerializer,
    validated,
)
from books.services import (
    book_create,
    book_delete,
    book_rate,
    book_rating_withdraw,
    book_update,
)
from config.pagination import LimitOffsetPagination, page_params

BOOK_INPUT_EXAMPLE = OpenApiExample(
    "book", {"title": "The Pragmatic Programmer", "published_on": "1999-10-20", "author_ids": [7, 8]}, request_only=True
)


def _book_payload(book_id: int) -> dict:
    return cached(
        book_scope(book_id), f"book:{book_id}", lambda: dict(BookOutputSerializer(book_get(book_id=book_id)).data)
    )


def _book_detail(request: Request, book_id: int) -> dict:
    # The shared payload plus the caller's own score: one query on a cache hit.
    payload = _book_payload(book_id)
    return {**payload, "my_rating": rating_score_get(book_id=book_id, user_id=request.user.pk)}


class BooksApi(APIView):
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset

    @extend_schema(
        tags=["books"],
        summary="List books",
        parameters=[BookListParamsSerializer],
        responses={200: BookOutputSerializer(many=True), 400: schema.ERROR_400, 401: schema.ERROR_401},
        examples=[OpenApiExample("page", schema.BOOK_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        params = validated(BookListParamsSerializer, request.query_params)
        limit, offset = page_params(request)

        def build() -> dict:
            paginator = LimitOffsetPagination()
            books = book_list(
                search=params.get("search"),
                author_id=params.get("author"),
                published_after=params.get("published_after"),
                published_before=params.get("published_before"),
                ordering=params.get("ordering"),
            )
            page = paginator.paginate_queryset(books, request)
            return {"count": paginator.count, "items": BookOutputSerializer(page, many=True).data}

        if offset + limit <= settings.BOOKS_CACHE_LIST_MAX_ROWS:
            return Response(cached(LISTS, list_cache_name({**params, "limit": limit, "offset": offset}), build))
        return Response(build())

    @extend_schema(
        tags=["books"],
        summary="Create a book",
        request=BookInputSerializer,
        responses={201: BookDetailOutputSerializer, 400: schema.ERROR_400, 401: schema.ERROR_401},
        examples=[
            BOOK_INPUT_EXAMPLE,
            OpenApiExample(
                "created",
                {**schema.BOOK_EXAMPLE, "rating": None, "rating_count": 0, "my_rating": None},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(BookInputSerializer, request.data)
        book = book_create(**data)
        return Response({**BookOutputSerializer(book).data, "my_rating": None}, status=status.HTTP_201_CREATED)


class BookApi(APIView):
    @extend_schema(
        tags=["books"],
        summary="Get a book with all its authors",
        responses={200: BookDetailOutputSerializer, 401: schema.ERROR_401, 404: schema.BOOK_404},
        examples=[OpenApiExample("book", schema.BOOK_DETAIL_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, book_id: int) -> Response:
        return Response(_book_detail(request, book_id))

    @extend_schema(
        tags=["books"],
        summary="Replace a book",
        request=BookInputSerializer,
        responses={
            200: BookDetailOutputSerializer,
            400: schema.ERROR_400,
            401: schema.ERROR_401,
            404: schema.BOOK_404,
        },
        examples=[BOOK_INPUT_EXAMPLE, OpenApiExample("book", schema.BOOK_DETAIL_EXAMPLE, response_only=True)],
    )
    def put(self, request: Request, book_id: int) -> Response:
        return self._update(request, book_id, partial=False)

    @extend_schema(
        tags=["books"],
        summary="Change some fields of a book",
        request=BookInputSerializer(partial=True),
        responses={
            200: BookDetailOutputSerializer,
            400: schema.ERROR_400,
            401: schema.ERROR_401,
            404: schema.BOOK_404,
        },
        examples=[
            OpenApiExample("new title", {"title": "The Pragmatic Programmer, 2nd ed."}, request_only=True),
            OpenApiExample("book", schema.BOOK_DETAIL_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, book_id: int) -> Response:
        return self._update(request, book_id, partial=True)

    def _update(self, request: Request, book_id: int, *, partial: bool) -> Response:
        data = validated(BookInputSerializer, request.data, partial=partial)
        book = book_update(book_id=book_id, **data)
        my_rating = rating_score_get(book_id=book.pk, user_id=request.user.pk)
        return Response({**BookOutputSerializer(book).data, "my_rating": my_rating})

    @extend_schema(
        tags=["books"],
        summary="Delete a book",
        responses={204: schema.NO_CONTENT, 401: schema.ERROR_401, 404: schema.BOOK_404},
    )
    def delete(self, request: Request, book_id: int) -> Response:
        book_delete(book_id=book_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookRatingApi(APIView):
    @extend_schema(
        tags=["books"],
        summary="Your score for a book",
        responses={200: RatingOutputSerializer, 401: schema.ERROR_401, 404: schema.RATING_404},
        examples=[OpenApiExample("rated", {"score": 5, "rating": "4.33", "rating_count": 3}, response_only=True)],
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
        summary="Rate a book 1..5 (creates or replaces your score)",
        request=RatingInputSerializer,
        responses={
            200: RatingOutputSerializer,
            400: schema.ERROR_400,
            401: schema.ERROR_401,
            404: schema.BOOK_404,
        },
        examples=[
            OpenApiExample("score", {"score": 5}, request_only=True),
            OpenApiExample("rated", {"score": 5, "rating": "4.33", "rating_count": 3}, response_only=True),
        ],
    )
    def put(self, request: Request, book_id: int) -> Response:
        data = validated(RatingInputSerializer, request.data)
        book = book_rate(book_id=book_id, user=request.user, score=data["score"])
        return Response(
            RatingOutputSerializer(
                {"score": data["score"], "rating": book.rating, "rating_count": book.rating_count}
            ).data
        )

    @extend_schema(
        tags=["books"],
        summary="Withdraw your score",
        responses={204: schema.NO_CONTENT, 401: schema.ERROR_401, 404: schema.RATING_404},
    )
    def delete(self, request: Request, book_id: int) -> Response:
        book_rating_withdraw(book_id=book_id, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
