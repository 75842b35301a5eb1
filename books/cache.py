"""Shared Redis cache of the book and author read models, invalidated by version keys.

Every cached payload is stored under a key that embeds a version token; a write replaces the token after its
transaction commits (`transaction.on_commit`), so the next read misses and rebuilds from PostgreSQL, and stale
entries simply expire. Versions:

- `books:v:book:<id>`   - `GET /books/{id}` (bumped by the book's own writes, ratings, and its authors' renames);
- `books:v:author:<id>` - `GET /authors/{id}` (bumped by the author's writes and by any change to their books);
- `books:v:lists`       - the first pages of `GET /books` (bumped by every write the list could show).

The cache is an accelerator, never a source of truth: with Redis unreachable django-redis (IGNORE_EXCEPTIONS)
turns every call into a miss, so reads go to the database and still answer correctly.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

LISTS = "lists"
_MISSING = object()


def _version_key(scope: str) -> str:
    return f"books:v:{scope}"


def book_scope(book_id: int) -> str:
    return f"book:{book_id}"


def author_scope(author_id: int) -> str:
    return f"author:{author_id}"


def _current_version(scope: str) -> str:
    key = _version_key(scope)
    version = cache.get(key)
    if version is None:
        # First read of this scope (or the version was evicted): start a fresh one. `add` keeps a concurrent
        # reader's token if it won; if Redis is down both calls are no-ops and the read is simply a miss.
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key) or "none"
    return version


def cached(scope: str, name: str, build: Callable[[], Any]) -> Any:
    """The payload `name` of `scope` from the cache, or `build()` stored under the scope's current version."""
    key = f"books:{name}:{_current_version(scope)}"
    payload = cache.get(key, _MISSING)
    if payload is _MISSING:
        payload = build()
        cache.set(key, payload, timeout=settings.BOOKS_CACHE_TTL)
    return payload


def list_cache_name(params: dict[str, Any]) -> str:
    """A stable cache name for the validated list parameters (filters, ordering, limit, offset)."""
    canonical = "&".join(f"{key}={params[key]}" for key in sorted(params) if params[key] not in (None, ""))
    return "list:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def invalidate_on_commit(*, book_ids: Iterable[int] = (), author_ids: Iterable[int] = (), lists: bool = True) -> None:
    """Replace the versions of the given scopes once the current transaction commits (now, outside one)."""
    scopes = [book_scope(pk) for pk in set(book_ids)] + [author_scope(pk) for pk in set(author_ids)]
    if lists:
        scopes.append(LISTS)
    if scopes:
        transaction.on_commit(lambda: _bump(scopes))


def _bump(scopes: list[str]) -> None:
    token = uuid.uuid4().hex
    cache.set_many({_version_key(scope): token for scope in scopes}, timeout=None)
