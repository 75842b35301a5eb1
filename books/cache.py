"""Shared Redis cache of the book and author read models, invalidated by version tokens.

Each cached payload is stored under a fixed key together with the version token of its scope at build time; a
write replaces the scope's token after its transaction commits (`transaction.on_commit`), so the next read sees
a different token, rebuilds from PostgreSQL and overwrites the entry. A read is one Redis round trip
(`get_many` of the token and the entry). Scopes:

- `book:<id>`   - `GET /books/{id}` and each reader's `my_rating` of it (bumped by the book's own writes, ratings,
                  and its authors' renames);
- `author:<id>` - `GET /authors/{id}` (bumped by the author's writes and by any change to their books);
- `lists`       - the cacheable pages of `GET /books` (bumped by every write a list could show).

Keys are per book, per author, and one of BOOKS_CACHE_LIST_SLOTS slots for list pages (a page's slot is a hash
of its parameters; the entry remembers which page it holds, so a page that lands in an occupied slot replaces it).
So the number of keys is bounded by the catalogue and a setting, not by what clients ask for: distinct queries
cannot fill Redis.

The cache is an accelerator, never a source of truth: with Redis unreachable django-redis (IGNORE_EXCEPTIONS)
turns every call into a miss, so reads go to the database and still answer correctly.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LISTS = "lists"
INVALIDATIONS_CHANNEL = "books:invalidations"


def _version_key(scope: str) -> str:
    return f"books:v:{scope}"


def book_scope(book_id: int) -> str:
    return f"book:{book_id}"


def author_scope(author_id: int) -> str:
    return f"author:{author_id}"


def list_slot(name: str) -> str:
    """The cache slot of the list page `name`: one of BOOKS_CACHE_LIST_SLOTS, stable across processes."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return f"list:{int.from_bytes(digest) % settings.BOOKS_CACHE_LIST_SLOTS}"


def scope_version(scope: str) -> str | None:
    """The current version token of `scope` (None before its first read, or with Redis unreachable)."""
    return cache.get(_version_key(scope))


def cached(scope: str, name: str, build: Callable[[], Any], *, slot: str | None = None) -> Any:
    """The payload `name` of `scope` from the cache, or `build()` stored with the scope's current version.

    The entry lives under `slot` (default: `name`) and is a hit only if it holds `name` at the current version.
    """
    return cached_many(scope, {slot or name: (name, build)})[slot or name]


def cached_many(scope: str, entries: dict[str, tuple[str, Callable[[], Any]]]) -> dict[str, Any]:
    """Several payloads of one `scope` (`{slot: (name, build)}`) in one round trip, each built on a miss.

    They share the scope's version, so one write invalidates them all (a book and one reader's score of it).
    """
    version_key = _version_key(scope)
    found = cache.get_many([version_key, *(f"books:{slot}" for slot in entries)])
    version = found.get(version_key)
    payloads, stale = {}, {}
    for slot, (name, build) in entries.items():
        entry = found.get(f"books:{slot}")
        if version is not None and entry is not None and entry[:2] == (version, name):
            payloads[slot] = entry[2]
        else:
            stale[slot] = (name, build)
    if not stale:
        return payloads
    # Built after the version was read: if a write commits in between, its new token differs from the one the
    # entries are stored with, and the next read rebuilds, so a stale payload is never served as current.
    for slot, (_, build) in stale.items():
        payloads[slot] = build()
    entries = {slot: (name, payloads[slot]) for slot, (name, _) in stale.items()}
    if version is None:
        _store_with_first_version(version_key, entries)
    else:
        cache.set_many(
            {f"books:{slot}": (version, name, payload) for slot, (name, payload) in entries.items()},
            timeout=settings.BOOKS_CACHE_TTL,
        )
    return payloads


def _store_with_first_version(version_key: str, entries: dict[str, tuple[str, Any]]) -> None:
    """The first read of a scope: start its version and store the entries under it, in one round trip.

    The version is set only if absent (SET NX): when a write or another reader set one meanwhile, these entries
    carry a token that is not current and are never served, so a payload built before a write cannot win.
    """
    token = uuid.uuid4().hex
    client = cache.client
    try:
        pipeline = client.get_client(write=True).pipeline(transaction=False)
        pipeline.set(client.make_key(version_key), client.encode(token), nx=True)
        for slot, (name, payload) in entries.items():
            pipeline.set(
                client.make_key(f"books:{slot}"), client.encode((token, name, payload)), ex=settings.BOOKS_CACHE_TTL
            )
        pipeline.execute()
    except RedisError:  # the cache is an accelerator: with Redis down this is a miss like any other
        logger.warning("books cache: storing a first version failed", exc_info=True)


def invalidate_on_commit(*, book_ids: Iterable[int] = (), author_ids: Iterable[int] = (), lists: bool = True) -> None:
    """Replace the versions of the given scopes once the current transaction commits (now, outside one)."""
    scopes = [book_scope(pk) for pk in set(book_ids)] + [author_scope(pk) for pk in set(author_ids)]
    if lists:
        scopes.append(LISTS)
    if scopes:
        transaction.on_commit(lambda: versions_replace(scopes))


def invalidations_channel() -> str:
    """The pub/sub channel `versions_replace` announces replaced scopes on, under the cache's key prefix."""
    return str(cache.make_key(INVALIDATIONS_CHANNEL))


def versions_replace(scopes: list[str]) -> None:
    """New version tokens for `scopes`: every entry cached under them is stale from now on.

    The same round trip publishes the scopes on `invalidations_channel()`, for the caches kept in other processes'
    memory (the gRPC sidecar's answers, grpc_service/invalidations.py).
    """
    token = uuid.uuid4().hex
    client = cache.client
    try:
        pipeline = client.get_client(write=True).pipeline(transaction=False)
        for scope in scopes:
            pipeline.set(client.make_key(_version_key(scope)), client.encode(token))
        pipeline.publish(invalidations_channel(), " ".join(scopes))
        pipeline.execute()
    except RedisError:  # like django-redis's IGNORE_EXCEPTIONS; the sidecar's subscription notices an outage itself
        logger.warning("books cache: replacing versions failed", exc_info=True)
