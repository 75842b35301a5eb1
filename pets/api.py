"""The /pets endpoints; every one needs the `X-API-KEY` header."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    ErrorOrValidationOutputSerializer,
    error_response,
    not_found_message,
    paginated_response,
    request_body_bytes,
    upload_body_too_large,
    validate_or_400,
    validation_error_response,
)
from config.parsers import JSONParser
from pets.auth import ApiKeyAuthentication
from pets.exceptions import DELETE_NOT_FOUND_MESSAGE, PhotoTooLargeError
from pets.images import INVALID_MESSAGE
from pets.selectors import pet_get, pet_list
from pets.serializers import (
    MAX_DELETE_IDS,
    PetCreateInputSerializer,
    PetListFilterInputSerializer,
    PetOutputSerializer,
    PetPageOutputSerializer,
    PetsDeleteInputSerializer,
    PetsDeleteOutputSerializer,
    PhotoOutputSerializer,
    PhotoUploadInputSerializer,
)
from pets.services import pet_create, pet_photo_add, pets_delete

PET_ID = "433a203f-5480-442b-b599-01060d988d87"
MISSING_ID = "587e5358-6407-4fff-9f86-853ce1849ac7"
PET_EXAMPLE = {"id": PET_ID, "name": "boy", "age": 7, "type": "dog", "photos": [], "created_at": "2021-05-18T19:10:17"}
PHOTO_EXAMPLE = {
    "id": "4cb15cbd-243e-427d-bb60-76f591b13cf8",
    "url": "http://localhost:8000/media/pets/4cb15cbd-243e-427d-bb60-76f591b13cf8.jpg",
}
ERROR_401 = error_response(
    "`X-API-KEY` missing or wrong.",
    ("no key", {"detail": "Missing X-API-KEY header.", "code": "api_key_missing"}),
    ("wrong key", {"detail": "Invalid X-API-KEY header.", "code": "api_key_invalid"}),
)
ERROR_404 = error_response(
    "No pet with this id.", ("unknown pet", {"detail": not_found_message("pet", MISSING_ID), "code": "pet_not_found"})
)
CREATED_AT_NOTE = (
    "`created_at` is UTC in whole seconds without a zone suffix (`2021-05-18T19:10:17`), the pets API's own "
    "format; the rest of the API writes ISO 8601 with `Z`."
)


class ApiKeyApi(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]


class PetListApi(ApiKeyApi):
    """List (GET), create (POST) and bulk delete (DELETE) share the path `/pets`, so they share the class."""

    parser_classes = [JSONParser]

    @extend_schema(
        tags=["pets"],
        operation_id="pets_list",
        summary="List pets, newest first",
        description=(
            "Pets newest first (ties by id), each with its photos in upload order, `limit` (1..100, default 20) "
            f"and `offset` paging and an optional `has_photos` filter. {CREATED_AT_NOTE}"
        ),
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
            400: validation_error_response(("bad has_photos", {"has_photos": ["Must be one of: true, false, 1, 0."]})),
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
        filters = validate_or_400(PetListFilterInputSerializer, request.query_params)
        pets = pet_list(has_photos=filters.get("has_photos"))
        return paginated_response(request, pets, PetOutputSerializer, context={"request": request})

    @extend_schema(
        tags=["pets"],
        operation_id="pets_create",
        summary="Create a pet",
        description=(
            '`name` (1..100 characters), `age` (a JSON integer 0..100; `"7"` is refused) and `type` '
            f"(`dog` or `cat`). The answer is the new pet without photos. {CREATED_AT_NOTE}"
        ),
        request=PetCreateInputSerializer,
        responses={
            201: PetOutputSerializer,
            400: validation_error_response(
                ("bad type", {"type": ['"parrot" is not a valid choice.']}),
                ("age as a string", {"age": ["A valid integer is required (a JSON number, not a string)."]}),
            ),
            401: ERROR_401,
        },
        examples=[
            OpenApiExample("dog", {"name": "boy", "age": 7, "type": "dog"}, request_only=True),
            OpenApiExample("created", PET_EXAMPLE, response_only=True, status_codes=[201]),
        ],
    )
    def post(self, request: Request) -> Response:
        pet = pet_create(**validate_or_400(PetCreateInputSerializer, request.data))
        return Response(PetOutputSerializer(pet, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["pets"],
        operation_id="pets_delete",
        summary="Delete pets with their photos",
        description=(
            f"At most {MAX_DELETE_IDS} ids per request; an id given twice counts once. Every id that does not "
            f'exist (or is not a UUID) is reported in `errors` with the wording "{DELETE_NOT_FOUND_MESSAGE}". '
            "Photo rows go in the same transaction; their files are removed after it commits."
        ),
        request=PetsDeleteInputSerializer,
        responses={
            200: PetsDeleteOutputSerializer,
            400: validation_error_response(
                ("too many", {"ids": [f"Ensure this field has no more than {MAX_DELETE_IDS} elements."]}),
                ("not a list", {"ids": ['Expected a list of items but got type "str".']}),
            ),
            401: ERROR_401,
        },
        examples=[
            OpenApiExample(
                "three ids",
                {"ids": [PET_ID, MISSING_ID, "6796fa0d-f405-4363-881d-6d3694a9655c"]},
                request_only=True,
            ),
            OpenApiExample(
                "two deleted",
                {"deleted": 2, "errors": [{"id": MISSING_ID, "error": DELETE_NOT_FOUND_MESSAGE}]},
                response_only=True,
                status_codes=[200],
            ),
        ],
    )
    def delete(self, request: Request) -> Response:
        result = pets_delete(ids=validate_or_400(PetsDeleteInputSerializer, request.data)["ids"])
        errors = [{"id": pet_id, "error": DELETE_NOT_FOUND_MESSAGE} for pet_id in result.not_found]
        return Response(PetsDeleteOutputSerializer({"deleted": result.deleted, "errors": errors}).data)


class PetPhotoUploadApi(ApiKeyApi):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["pets"],
        operation_id="pets_photo_upload",
        parameters=[OpenApiParameter("pet_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The pet's id.")],
        summary="Upload a photo of a pet",
        description=(
            "Multipart form with one field, `file`: a JPEG, PNG, GIF or WebP image (checked from its bytes, "
            "within a bounded memory budget), at most PET_PHOTO_MAX_BYTES (10 MiB by default) and 50 megapixels "
            "(16 for GIF and WebP). Bytes after the image's end are not stored. A pet has at most PET_MAX_PHOTOS "
            "(20 by default) photos. The file is stored under a server-generated name; the answer holds its "
            "absolute URL.\n\n"
            "```bash\ncurl -H 'X-API-KEY: ...' -F file=@photo.jpg http://localhost:8000/pets/<id>/photo\n```"
        ),
        request={"multipart/form-data": PhotoUploadInputSerializer},
        responses={
            201: PhotoOutputSerializer,
            400: error_response(
                "`file` missing, not an accepted image, damaged or too many pixels.",
                ("not an image", {"detail": INVALID_MESSAGE, "code": "photo_invalid", "field": "file"}),
                ("no file", {"file": ["No file was submitted."]}),
                serializer=ErrorOrValidationOutputSerializer,
            ),
            401: ERROR_401,
            404: ERROR_404,
            409: error_response(
                "The pet already has PET_MAX_PHOTOS photos.",
                (
                    "photo limit",
                    {
                        "detail": f"Pet {PET_ID} already has 20 photos; a pet may have at most 20 (PET_MAX_PHOTOS).",
                        "code": "photo_limit_reached",
                        "max_photos": 20,
                    },
                ),
            ),
            413: error_response(
                "`file` is larger than PET_PHOTO_MAX_BYTES.",
                (
                    "too large",
                    {
                        "detail": "The file is 12582912 bytes; the limit is 10485760 bytes.",
                        "code": "photo_too_large",
                        "field": "file",
                        "max_bytes": 10485760,
                    },
                ),
            ),
        },
        examples=[
            OpenApiExample(
                "a JPEG",
                {"file": "(binary JPEG data, e.g. curl -F file=@photo.jpg)"},
                request_only=True,
                media_type="multipart/form-data",
            ),
            OpenApiExample("uploaded", PHOTO_EXAMPLE, response_only=True, status_codes=[201]),
        ],
    )
    def post(self, request: Request, pet_id: str) -> Response:
        pet = pet_get(pet_id=pet_id)
        limit, request_bytes = settings.PET_PHOTO_MAX_BYTES, request_body_bytes(request)
        if upload_body_too_large(request_bytes, limit):  # before the body is read
            raise PhotoTooLargeError(
                f"The request body is {request_bytes} bytes; the file limit is {limit} bytes.",
                field="file",
                max_bytes=limit,
            )
        data = validate_or_400(PhotoUploadInputSerializer, request.data)
        photo = pet_photo_add(pet=pet, file=data["file"])
        return Response(PhotoOutputSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)
