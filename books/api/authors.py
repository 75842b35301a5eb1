"""REST endpoints of authors; `GET /authors/{id}` (with the top-5 books) is served from the shared cache."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from books.api import examples
from books.api.auth import JWTReadAuthentication
from books.selectors import author_detail_payload, author_list_page
from books.serializers import (
    AuthorDetailOutputSerializer,
    AuthorInputSerializer,
    AuthorListParamsSerializer,
    AuthorOutputSerializer,
)
from books.services import author_create, author_delete, author_update
from config.api import ERROR_401, NO_CONTENT, validate_or_400
from config.pagination import LimitOffsetPagination, page_params
from config.parsers import JSONParser


class AuthorListApi(APIView):
    pagination_class = LimitOffsetPagination  # read by drf-spectacular: `{"count", "items"}` and limit/offset
    parser_classes = [JSONParser]
    authentication_classes = [JWTReadAuthentication]

    @extend_schema(
        tags=["authors"],
        summary="List authors with their books count",
        description="One page of authors by name, each with the number of books they (co-)wrote.",
        parameters=[AuthorListParamsSerializer],
        responses={200: AuthorOutputSerializer(many=True), 400: examples.LIST_400, 401: ERROR_401},
        examples=[OpenApiExample("page", examples.AUTHOR_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        params = validate_or_400(AuthorListParamsSerializer, request.query_params)
        limit, offset = page_params(request)
        return Response(author_list_page(limit=limit, offset=offset, search=params.get("search")))

    @extend_schema(
        tags=["authors"],
        summary="Create an author",
        description="A new author record; names need not be unique (`author` on a book reuses the oldest match).",
        request=AuthorInputSerializer,
        responses={201: AuthorOutputSerializer, 400: examples.AUTHOR_400, 401: ERROR_401},
        examples=[
            *examples.AUTHOR_REQUESTS,
            OpenApiExample(
                "created", {**examples.AUTHOR_EXAMPLE, "books_count": 0}, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        author = author_create(**validate_or_400(AuthorInputSerializer, request.data))
        return Response(AuthorOutputSerializer(author).data, status=status.HTTP_201_CREATED)


class AuthorDetailApi(APIView):
    parser_classes = [JSONParser]
    authentication_classes = [JWTReadAuthentication]

    @extend_schema(
        tags=["authors"],
        summary="Get an author with their 5 best-rated books",
        description="The author with `books_count` and `top_books`: up to 5 of their books by rating (unrated "
        "last), equal ratings ordered like `GET /books?ordering=-rating` (more votes, then lower id).",
        responses={200: AuthorDetailOutputSerializer, 401: ERROR_401, 404: examples.AUTHOR_404},
        examples=[OpenApiExample("author", examples.AUTHOR_DETAIL_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, author_id: int) -> Response:
        return Response(author_detail_payload(author_id=author_id))

    @extend_schema(
        tags=["authors"],
        summary="Replace an author",
        description="`name` is required; a missing `bio` becomes empty. A rename shows at once in their books.",
        request=AuthorInputSerializer,
        responses={200: AuthorOutputSerializer, 400: examples.AUTHOR_400, 401: ERROR_401, 404: examples.AUTHOR_404},
        examples=[*examples.AUTHOR_REQUESTS, OpenApiExample("author", examples.AUTHOR_EXAMPLE, response_only=True)],
    )
    def put(self, request: Request, author_id: int) -> Response:
        data = validate_or_400(AuthorInputSerializer, request.data)
        author = author_update(author_id=author_id, name=data["name"], bio=data.get("bio", ""))
        return Response(AuthorOutputSerializer(author).data)

    @extend_schema(
        tags=["authors"],
        summary="Change some fields of an author",
        description="Only the given fields change; a rename shows at once in their books.",
        request=AuthorInputSerializer(partial=True),
        responses={200: AuthorOutputSerializer, 400: examples.AUTHOR_400, 401: ERROR_401, 404: examples.AUTHOR_404},
        examples=[
            OpenApiExample("new bio", {"bio": "Programmer and writer."}, request_only=True),
            OpenApiExample("author", examples.AUTHOR_EXAMPLE, response_only=True),
        ],
    )
    def patch(self, request: Request, author_id: int) -> Response:
        author = author_update(
            author_id=author_id, **validate_or_400(AuthorInputSerializer, request.data, partial=True)
        )
        return Response(AuthorOutputSerializer(author).data)

    @extend_schema(
        tags=["authors"],
        summary="Delete an author (removes them from their books)",
        description="Removes the author from their books (each gets `book.updated`). Refused with 409 while the "
        "author is the only author of any book; the answer names those books.",
        responses={204: NO_CONTENT, 401: ERROR_401, 404: examples.AUTHOR_404, 409: examples.AUTHOR_409},
    )
    def delete(self, request: Request, author_id: int) -> Response:
        author_delete(author_id=author_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
