"""Photo files through Django's storage API, so a deployment can move them to S3 by settings alone."""

import logging
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import HttpRequest
from django.utils.encoding import filepath_to_uri

logger = logging.getLogger(__name__)

URL_SAFE_NAME = re.compile(r"[A-Za-z0-9._/-]+\Z")


def photo_url(name: str, *, request: HttpRequest | None = None) -> str:
    """Absolute URL of a stored photo: PUBLIC_BASE_URL when set, else the request's host, else the fallback."""
    url = default_storage.url(name)
    if url.startswith(("http://", "https://")):  # S3 and other remote storages already give absolute URLs
        return url
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + url
    if request is not None:
        return request.build_absolute_uri(url)
    return fallback_base_url() + url


def fallback_base_url() -> str:
    """Where `make run` serves: the base of photo URLs written without a request and without PUBLIC_BASE_URL."""
    return f"http://localhost:{settings.WEB_PORT}"


def photo_url_prefix() -> str | None:
    """The prefix of every photo URL written without a request, when a URL is that prefix plus the quoted name
    (the file system storage); None for storages that build each URL themselves (S3 signs each one)."""
    if not isinstance(default_storage, FileSystemStorage) or not default_storage.base_url:
        return None
    return photo_url("")


def photo_url_builder() -> Callable[[str], str]:
    """`photo_url` without a request, made fast for exporting millions of URLs.

    For the file system storage every URL is one fixed prefix plus the quoted name, so the prefix is computed
    once; other storages (S3 signs each URL) go through `photo_url`.
    """
    prefix = photo_url_prefix()
    if prefix is None:
        return photo_url
    # Our own names (`pets/<uuid>.<ext>`) need no quoting; skipping it halves the cost of a URL.
    return lambda name: prefix + (name if URL_SAFE_NAME.match(name) else filepath_to_uri(name))


def photo_files_delete(names: Iterable[str]) -> None:
    """Remove files after their rows are gone; a failure is logged (an orphan file is harmless), never raised."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("pet photo file not removed name=%s", name)
