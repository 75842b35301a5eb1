"""REST endpoints of authors; `GET /authors/{id}` (with the top-5 books) is served from the shared cache."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from books import schema
from books.cache import author_scope, cached
from books.selectors import author_get, author_list, author_top_books
from books.serializers import (
    AuthorDetailOutputSerializer,
    AuthorInputSerializer,
    AuthorListParamsSerializer,
    AuthorOutputSerializer,
    validated,
)
from books.services import (
    author_create,
    author_delete,
    author_update,
)
from config.pagination import LimitOffsetPagination

AUTHOR_INPUT_EXAMPLE = OpenApiExample(
    "author", {"name": "Andrew Hunt", "bio": "Co-author of The Pragmatic Programmer."}, request_only=True
)


def _author_payload(author_id: int) -> dict:
    def build() -> dict:
        author = author_get(author_id=author_id)
        author.top_books = author_top_books(author_id=author_id)
        return dict(AuthorDetailOutputSerializer(author).data)

    return cached(author_scope(author_id), f"author:{author_id}", build)


class AuthorsApi(APIView):
    pagination_class = LimitOffsetPagination

    @extend_schema(
        tags=["authors"],
        summary="List authors with their books count",
        parameters=[AuthorListParamsSerializer],
        responses={200: AuthorOutputSerializer(many=True), 400: schema.ERROR_400, 401: schema.ERROR_401},
        examples=[OpenApiExample("page", schema.AUTHOR_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        params = validated(AuthorListParamsSerializer, request.query_params)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(author_list(search=params.get("search")), request)
        return paginator.get_paginated_response(AuthorOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=["authors"],
        summary="Create an author",
        request=AuthorInputSerializer,
        responses={201: AuthorOutputSerializer, 400: schema.ERROR_400, 401: schema.ERROR_401},
        examples=[
            AUTHOR_INPUT_EXAMPLE,
            OpenApiExample(
                "created", {**schema.AUTHOR_EXAMPLE, "books_count": 0}, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        author = author_create(**validated(AuthorInputSerializer, request.data))
        return Response(AuthorOutputSerializer(author).data, status=status.HTTP_201_CREATED)


class AuthorApi(APIView):
    @extend_schema(
        tags=["authors"],
        summary="Get an author with their 5 best-rated books",
        responses={200: AuthorDetailOutputSerializer, 401: schema.ERROR_401, 404: schema.AUTHOR_404},
        examples=[OpenApiExample("author", schema.AUTHOR_DETAIL_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, author_id: int) -> Response:
        return Response(_author_payload(author_id))

    @extend_schema(
        tags=["authors"],
        summary="Replace an author",
        request=AuthorInputSerializer,
        responses={
            200: AuthorOutputSerializer,
            400: schema.ERROR_400,
            401: schema.ERROR_401,
            404: schema.AUTHOR_404,
        },
        examples=[AUTHOR_INPUT_EXAMPLE, OpenApiExample("author", schema.AUTHOR_EXAMPLE, response_only=True)],
    )
    def put(self, request: Request, author_id: int) -> Response:
        data = validated(AuthorInputSerializer, request.data)
        author = author_update(author_id=author_id, name=data["name"], bio=data.get("bio", ""))
        return Response(AuthorOutputSerializer(author).data)

    @extend_schema(
        tags=["authors"],
        summary="Change some fields of an author",
        request=AuthorInputSerializer(partial=True),
        responses={
            200: AuthorOutputSerializer,
            400: schema.ERROR_400,
            401: schema.ERROR_401,
            404: schema.AUTHOR_404,
        },
        examples=[
            OpenApiExample("new bio", {"bio": "Programmer and writer."}, request_only=True),
            OpenApiExample("author", schema.AUTHOR_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, author_id: int) -> Response:
        author = author_update(author_id=author_id, **validated(AuthorInputSerializer, request.data, partial=True))
        return Response(AuthorOutputSerializer(author).data)

    @extend_schema(
        tags=["authors"],
        summary="Delete an author (removes them from their books)",
        description="Refused with 409 while the author is the only author of any book; the answer names those books.",
        responses={204: schema.NO_CONTENT, 401: schema.ERROR_401, 404: schema.AUTHOR_404, 409: schema.AUTHOR_409},
    )
    def delete(self, request: Request, author_id: int) -> Response:
        author_delete(author_id=author_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
