"""The sidecar's in-process cache of serialized answers, invalidated by the writes' pushed messages.

A call whose answer is here costs no network round trip: the bytes are served as they were sent last time. Any
write that could change an answer publishes its scopes after its commit (books/cache.py `versions_replace`, the
same scopes that invalidate the REST cache), and the process's subscription (grpc_service/invalidations.py)
drops them here. An answer is served from memory only while that subscription is live and has applied every
message delivered so far; otherwise (Redis unreachable, reconnecting) every call builds its answer.
"""

import threading
from collections.abc import Callable, Iterable

from cachetools import TTLCache
from django.conf import settings

from grpc_service.invalidations import Invalidations, shared_invalidations


class AnswerCache:
    def __init__(
        self, maxsize: int | None = None, *, ttl: float | None = None, invalidations: Invalidations | None = None
    ) -> None:
        self._entries: TTLCache = TTLCache(
            maxsize or settings.GRPC_ANSWER_CACHE_SIZE, ttl or settings.GRPC_ANSWER_CACHE_TTL
        )
        # scope -> invalidations seen since the last clear; an entry is served only at its scope's generation.
        self._generations: dict[str, int] = {}
        self._epoch = 0  # bumped by clear(): nothing built before a lost subscription is stored after it
        self._lock = threading.Lock()  # TTLCache reorders itself on reads
        self.invalidations = invalidations or shared_invalidations()
        self.invalidations.register(self)

    def get_or_build(self, scope: str, name: str, build: Callable[[], bytes]) -> bytes:
        if not self.invalidations.settled():
            return build()
        # The stamp is taken before building: an invalidation of the scope applied meanwhile changes it, so bytes
        # built from older data are stored under a generation that is never served.
        with self._lock:
            stamp = (self._epoch, self._generations.get(scope, 0))
            entry = self._entries.get(name)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        answer = build()
        with self._lock:
            if stamp[0] == self._epoch:
                self._entries[name] = (stamp, answer)
        return answer

    def invalidate(self, scopes: Iterable[str]) -> None:
        with self._lock:
            for scope in scopes:
                self._generations[scope] = self._generations.get(scope, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generations.clear()
            self._epoch += 1
