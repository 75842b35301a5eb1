"""The sidecar's in-process cache of serialized answers, checked against the shared cache's version tokens.

A call costs one small Redis read (the scope's version token, books/cache.py) when its answer is here: the bytes
are served as they were sent last time. Any write that could change the answer replaces the token after its
commit (the same tokens invalidate the REST cache), so a stale answer is never served. With Redis unreachable
there is no token and every call builds its answer.
"""

import threading
from collections.abc import Callable

from cachetools import LRUCache
from django.conf import settings

from books.cache import scope_version


class AnswerCache:
    def __init__(self, maxsize: int | None = None) -> None:
        self._entries: LRUCache = LRUCache(maxsize or settings.GRPC_ANSWER_CACHE_SIZE)
        self._lock = threading.Lock()  # LRUCache reorders itself on reads

    def get_or_build(self, scope: str, name: str, build: Callable[[], bytes]) -> bytes:
        # The token is read before building: a write committing meanwhile gives the next call another token,
        # so bytes built from older data are never stored under a newer token.
        version = scope_version(scope)
        if version is not None:
            with self._lock:
                entry = self._entries.get(name)
            if entry is not None and entry[0] == version:
                return entry[1]
        answer = build()
        if version is not None:
            with self._lock:
                self._entries[name] = (version, answer)
        return answer
