"""Errors of the pets app; the project's exception handler turns them into responses."""

from rest_framework import status

from config.api import not_found_message
from config.exceptions import ConflictError, DomainError, NotFoundError

# Brief 002 fixes this wording for the `errors` of DELETE /pets (each entry carries the id beside it).
DELETE_NOT_FOUND_MESSAGE = "Pet with the matching ID was not found."


class PetNotFoundError(NotFoundError):
    """No pet with this id."""

    code = "pet_not_found"

    def __init__(self, pet_id: object) -> None:
        super().__init__(not_found_message("pet", pet_id))


class PhotoTooLargeError(DomainError):
    """The photo is larger than PET_PHOTO_MAX_BYTES."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "photo_too_large"


class PhotoInvalidError(DomainError):
    """The file is not a valid JPEG, PNG, GIF or WebP image."""

    code = "photo_invalid"


class PhotoLimitReachedError(ConflictError):
    """The pet already has PET_MAX_PHOTOS photos."""

    code = "photo_limit_reached"
