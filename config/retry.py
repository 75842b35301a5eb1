"""`@retry`: re-call a function when it raises one of the given exceptions, with exponential backoff."""

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def retry(
    times: int = 3,
    delay: float = 1,
    exceptions: tuple[type[BaseException], ...] = (Exception,),
    backoff: float = 1,
    *,
    sleep: Callable[[float], Any] | None = None,
) -> Callable[[F], F]:
    """Call the function up to `times` times; between attempts sleep `delay * backoff**attempt` seconds.

    Only `exceptions` are retried; anything else propagates at once. After the last attempt the last
    error is re-raised. Works on sync and async functions; `sleep` is injectable for tests (for an
    async function it may return an awaitable).
    """
    if times < 1:
        raise ValueError("times must be at least 1")

    def pause_for(attempt: int) -> float:
        return delay * backoff**attempt

    def log_retry(func: Callable, attempt: int, error: BaseException, wait: float) -> None:
        logger.warning(
            "retrying %s after %s: %s (attempt %d of %d, next in %.2fs)",
            getattr(func, "__qualname__", repr(func)),
            type(error).__name__,
            error,
            attempt + 1,
            times,
            wait,
        )

    def decorate(func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                for attempt in range(times):
                    try:
                        return await func(*args, **kwargs)
                    except exceptions as error:
                        if attempt == times - 1:
                            raise
                        wait = pause_for(attempt)
                        log_retry(func, attempt, error, wait)
                        outcome = (sleep or asyncio.sleep)(wait)
                        if isinstance(outcome, Awaitable):
                            await outcome
                raise AssertionError("unreachable")  # pragma: no cover

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(times):
                try:
                    return func(*args, **kwargs)
                except exceptions as error:
                    if attempt == times - 1:
                        raise
                    wait = pause_for(attempt)
                    log_retry(func, attempt, error, wait)
                    (sleep or time.sleep)(wait)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper  # type: ignore[return-value]

    return decorate
