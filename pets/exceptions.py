"""Errors of the pets app; the project's exception handler turns them into responses."""

from rest_framework import status

from config.exceptions import DomainError, NotFoundError

PET_NOT_FOUND_MESSAGE = "Pet with the matching ID was not found."  # the brief's wording, also used by DELETE


class PetNotFoundError(NotFoundError):
    """Pet with the matching ID was not found."""

    code = "pet_not_found"


class PhotoTooLargeError(DomainError):
    """The photo is larger than PET_PHOTO_MAX_BYTES."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "photo_too_large"


class PhotoInvalidError(DomainError):
    """The file is not a valid JPEG, PNG, GIF or WebP image."""

    code = "photo_invalid"
