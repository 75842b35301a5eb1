"""The books cache's invalidations, pushed to the sidecar: a Redis pub/sub subscription in one thread per process.

Every write that replaces version tokens (books/cache.py `versions_replace`, after its commit) publishes the
scopes on the cache's invalidation channel in the same Redis round trip. The sidecar's answer caches
(grpc_service/answers.py) drop those scopes when the message arrives, so a cached answer costs no network round
trip at all. Rules that keep a stale answer from being served:

- An answer is served from memory only while the subscription is live *and settled*: no message waiting in the
  subscription's socket, none being applied. Redis writes the message into that socket before the writer's
  PUBLISH returns, so a call made after a write returned waits (microseconds) for its invalidation, never misses it.
- A lost subscription (Redis restarted, a cut connection) clears every cache and every answer is built from the
  database until the subscription is back; the messages of the gap are lost, so the caches start empty again.
- An answer built while its scope was invalidated is not stored (the caches compare generations), and every answer
  also expires after GRPC_ANSWER_CACHE_TTL seconds: the last bound if Redis vanished without closing the socket.
"""

import logging
import select
import socket
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from books.cache import invalidations_channel

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 0.5  # longest a call waits for the first subscription or a delivered message to be applied
RECONNECT_DELAYS = (0.5, 1, 2, 4, 8)


class InvalidationListener(Protocol):
    def invalidate(self, scopes: Iterable[str]) -> None: ...

    def clear(self) -> None: ...


class Invalidations:
    """The subscription: a daemon thread that applies each message to every registered listener."""

    CONNECTING, LIVE, DOWN = "connecting", "live", "down"

    def __init__(self, *, url: str | None = None, channel: str | None = None) -> None:
        self.url = url or settings.CACHES["default"]["LOCATION"]
        self.channel = channel or invalidations_channel()
        self.state = self.CONNECTING  # waited for by calls only before the first connection attempt ends
        self._listeners: weakref.WeakSet[InvalidationListener] = weakref.WeakSet()
        self._socket: socket.socket | None = None
        self._busy = False  # a drain of the socket is running
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def register(self, listener: InvalidationListener) -> None:
        self._listeners.add(listener)
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="books-cache-invalidations", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def settled(self) -> bool:
        """True when the subscription is live and every message delivered to this host has been applied.

        Waits up to SETTLE_SECONDS for that while the first connection is being made or a message is waiting;
        answers False at once while the subscription is down.
        """
        if self._settled_now():
            return True
        if self.state == self.DOWN:
            return False
        with self._changed:
            return self._changed.wait_for(self._settled_now, timeout=SETTLE_SECONDS)

    def _settled_now(self) -> bool:
        sock = self._socket
        if sock is None or self.state != self.LIVE:
            return False
        try:
            waiting = select.select([sock], [], [], 0)[0]
        except (OSError, ValueError):  # closed under us: the thread is reconnecting
            return False
        # The socket first, then the flag: a message read from the socket after the check set `_busy` before it
        # was read and clears it only once applied.
        return not waiting and not self._busy and self.state == self.LIVE and sock is self._socket

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            client = redis.Redis.from_url(
                self.url,
                socket_connect_timeout=0.5,
                socket_timeout=5,
                socket_keepalive=True,
                health_check_interval=10,
                retry=Retry(NoBackoff(), 0),  # no silent reconnect: a gap must clear the caches
            )
            pubsub = client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                while not self._stop.is_set() and self._socket is None:
                    message = pubsub.get_message(timeout=1)
                    if message and message["type"] == "subscribe":
                        self._went_live(pubsub.connection._sock)
                attempt = 0
                while not self._stop.is_set():
                    self._drain(pubsub)
                    select.select([self._socket], [], [], 1)
            except (redis.RedisError, OSError, ValueError) as exc:
                self._went_down()
                delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
                attempt += 1
                logger.warning(
                    "cache invalidations: subscription lost (%s), answers built each call, retry in %gs", exc, delay
                )
                self._stop.wait(delay)
            finally:
                pubsub.close()
                client.close()
        self._went_down()

    def _went_live(self, sock: socket.socket) -> None:
        # Messages published while there was no subscription are lost: start from empty caches.
        for listener in list(self._listeners):
            listener.clear()
        with self._changed:
            self._socket, self.state = sock, self.LIVE
            self._changed.notify_all()
        logger.info("cache invalidations: subscribed to %s", self.channel)

    def _went_down(self) -> None:
        with self._changed:
            self._socket, self.state = None, self.DOWN
            self._changed.notify_all()
        for listener in list(self._listeners):
            listener.clear()

    def _drain(self, pubsub) -> None:
        """Apply every message already received; `_busy` covers the read and the apply."""
        with self._changed:
            self._busy = True
        try:
            while (message := pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    scopes = message["data"].decode().split()
                    for listener in list(self._listeners):
                        listener.invalidate(scopes)
            if pubsub.connection is None or pubsub.connection._sock is not self._socket:
                raise redis.ConnectionError("the subscription's connection was replaced")
        except BaseException:
            with self._changed:
                self.state = self.DOWN  # before `_busy` is cleared: no call may take the socket as settled
            raise
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()


_shared: Invalidations | None = None
_shared_lock = threading.Lock()


def shared_invalidations() -> Invalidations:
    """The process's one subscription (every answer cache of the process registers with it)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Invalidations()
        return _shared
