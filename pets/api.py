"""The /pets endpoints; every one needs the `X-API-KEY` header."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.pagination import LimitOffsetPagination
from pets.auth import ApiKeyAuthentication
from pets.exceptions import PET_NOT_FOUND_MESSAGE, PhotoTooLargeError
from pets.images import INVALID_MESSAGE
from pets.selectors import pet_get, pet_list
from pets.serializers import (
    MAX_DELETE_IDS,
    PetCreateInputSerializer,
    PetListParamsSerializer,
    PetOutputSerializer,
    PetPageOutputSerializer,
    PetsDeleteInputSerializer,
    PetsDeleteOutputSerializer,
    PhotoOutputSerializer,
    PhotoUploadInputSerializer,
)
from pets.services import pet_create, pet_photo_add, pets_delete

# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

PET_EXAMPLE = {
    "id": "433a203f-5480-442b-b599-01060d988d87",
    "name": "boy",
    "age": 7,
    "type": "dog",
    "photos": [],
    "created_at": "2021-05-18T19:10:17",
}
PHOTO_EXAMPLE = {
    "id": "4cb15cbd-243e-427d-bb60-76f591b13cf8",
    "url": "http://localhost:8000/media/pets/4cb15cbd-243e-427d-bb60-76f591b13cf8.jpg",
}
ERROR_401 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="`X-API-KEY` missing or wrong",
    examples=[
        OpenApiExample("no key", {"detail": "Missing X-API-KEY header."}, response_only=True, status_codes=[401])
    ],
)
ERROR_404 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="No pet with this id",
    examples=[
        OpenApiExample(
            "unknown pet",
            {"detail": PET_NOT_FOUND_MESSAGE, "code": "pet_not_found"},
            response_only=True,
            status_codes=[404],
        )
    ],
)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApiKeyApi(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]


class PetCollectionApi(ApiKeyApi):
    # List (GET), create (POST) and bulk delete (DELETE) share the path `/pets`, so they share the class.

    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pets"],
        operation_id="pets_list",
        summary="List pets, newest first",
        parameters=[
            OpenApiParameter("limit", int, description="Page size, 1..100 (default 20)."),
            OpenApiParameter("offset", int, description="Items to skip (default 0)."),
            OpenApiParameter(
                "has_photos",
                str,
                enum=["true", "false", "1", "0"],
                description="`true`: only pets with photos; `false`: only pets without; absent: all.",
            ),
        ],
        responses={
            200: PetPageOutputSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="Bad limit, offset or has_photos",
                examples=[
                    OpenApiExample(
                        "bad has_photos",
                        {"has_photos": ["Must be one of: true, false, 1, 0."]},
                        response_only=True,
                        status_codes=[400],
                    )
                ],
            ),
            401: ERROR_401,
        },
        examples=[
            OpenApiExample(
                "a page",
                {"count": 1, "items": [{**PET_EXAMPLE, "photos": [PHOTO_EXAMPLE]}]},
                response_only=True,
                status_codes=[200],
            )
        ],
    )
    def get(self, request: Request) -> Response:
        params = _validated(PetListParamsSerializer, request.query_params)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(pet_list(has_photos=params.get("has_photos")), request, view=self)
        return paginator.get_paginated_response(PetOutputSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        tags=["pets"],
        operation_id="pets_create",
        summary="Create a pet",
        request=PetCreateInputSerializer,
        responses={
            201: PetOutputSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="A field is missing or invalid",
                examples=[
                    OpenApiExample(
                        "bad type",
                        {"type": ['"parrot" is not a valid choice.']},
                        response_only=True,
                        status_codes=[400],
                    )
                ],
            ),
            401: ERROR_401,
        },
        examples=[
            OpenApiExample("dog", {"name": "boy", "age": 7, "type": "dog"}, request_only=True),
            OpenApiExample("created", PET_EXAMPLE, response_only=True, status_codes=[201]),
        ],
    )
    def post(self, request: Request) -> Response:
        pet = pet_create(**_validated(PetCreateInputSerializer, request.data))
        return Response(PetOutputSerializer(pet, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["pets"],
        operation_id="pets_delete",
        summary="Delete pets with their photos",
        description=(
            f"At most {MAX_DELETE_IDS} ids per request; an id given twice counts once. Every id that does not "
            "exist (or is not a UUID) is reported in `errors`. Photo files are removed after the transaction commits."
        ),
        request=PetsDeleteInputSerializer,
        responses={
            200: PetsDeleteOutputSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="`ids` missing, not a list or longer than 1000",
                examples=[
                    OpenApiExample(
                        "too many",
                        {"ids": ["Ensure this field has no more than 1000 elements."]},
                        response_only=True,
                        status_codes=[400],
                    )
                ],
            ),
            401: ERROR_401,
        },
        examples=[
            OpenApiExample(
                "three ids",
                {
                    "ids": [
                        "433a203f-5480-442b-b599-01060d988d87",
                        "587e5358-6407-4fff-9f86-853ce1849ac7",
                        "6796fa0d-f405-4363-881d-6d3694a9655c",
                    ]
                },
                request_only=True,
            ),
            OpenApiExample(
                "two deleted",
                {
                    "deleted": 2,
                    "errors": [{"id": "587e5358-6407-4fff-9f86-853ce1849ac7", "error": PET_NOT_FOUND_MESSAGE}],
                },
                response_only=True,
                status_codes=[200],
            ),
        ],
    )
    def delete(self, request: Request) -> Response:
        result = pets_delete(ids=_validated(PetsDeleteInputSerializer, request.data)["ids"])
        errors = [{"id": pet_id, "error": PET_NOT_FOUND_MESSAGE} for pet_id in result.not_found]
        return Response(PetsDeleteOutputSerializer({"deleted": result.deleted, "errors": errors}).data)


class PetPhotoUploadApi(ApiKeyApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["pets"],
        operation_id="pets_photo_upload",
        parameters=[OpenApiParameter("pet_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The pet's id.")],
        summary="Upload a photo of a pet",
        description=(
            "Multipart form with one field, `file`: a JPEG, PNG, GIF or WebP image (checked by decoding it), at most "
            "PET_PHOTO_MAX_BYTES (10 MiB by default). The file is stored under a server-generated name; the answer "
            "holds its absolute URL."
        ),
        request={"multipart/form-data": PhotoUploadInputSerializer},
        responses={
            201: PhotoOutputSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="`file` missing, not an accepted image, or damaged",
                examples=[
                    OpenApiExample(
                        "not an image",
                        {
                            "detail": INVALID_MESSAGE,
                            "code": "photo_invalid",
                            "field": "file",
                        },
                        response_only=True,
                        status_codes=[400],
                    )
                ],
            ),
            401: ERROR_401,
            404: ERROR_404,
            413: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="`file` is larger than PET_PHOTO_MAX_BYTES",
                examples=[
                    OpenApiExample(
                        "too large",
                        {
                            "detail": "The file is 12582912 bytes; the limit is 10485760 bytes.",
                            "code": "photo_too_large",
                            "field": "file",
                            "max_bytes": 10485760,
                        },
                        response_only=True,
                        status_codes=[413],
                    )
                ],
            ),
        },
        examples=[OpenApiExample("uploaded", PHOTO_EXAMPLE, response_only=True, status_codes=[201])],
    )
    def post(self, request: Request, pet_id: str) -> Response:
        pet = pet_get(pet_id=pet_id)
        _reject_oversized_body(request)
        data = _validated(PhotoUploadInputSerializer, request.data)
        photo = pet_photo_add(pet=pet, file=data["file"])
        return Response(PhotoOutputSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _reject_oversized_body(request: Request) -> None:
    """Refuse a body that cannot fit the limit before reading it (the exact file size is checked again later)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    limit = settings.PET_PHOTO_MAX_BYTES
    if length > limit + MULTIPART_OVERHEAD_BYTES:
        raise PhotoTooLargeError(
            f"The request body is {length} bytes; the file limit is {limit} bytes.", field="file", max_bytes=limit
        )
