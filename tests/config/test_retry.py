import asyncio

import pytest

from config.retry import retry


class Flaky:
    """Fails `failures` times with `error`, then returns "ok"."""

    def __init__(self, failures: int, error: type[Exception] = ConnectionError) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self, value: str = "ok") -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error(f"failure {self.calls}")
        return value


@pytest.mark.parametrize(("failures", "times", "expected_calls"), [(0, 3, 1), (1, 3, 2), (2, 3, 3), (4, 5, 5)])
def test_succeeds_after_failures_below_the_limit(failures, times, expected_calls):
    flaky, sleeps = Flaky(failures), []
    wrapped = retry(times=times, delay=0.5, exceptions=(ConnectionError,), sleep=sleeps.append)(flaky)
    assert wrapped("done") == "done"
    assert flaky.calls == expected_calls
    assert len(sleeps) == expected_calls - 1


def test_exhaustion_reraises_the_last_error():
    flaky, sleeps = Flaky(10), []
    wrapped = retry(times=3, delay=1, exceptions=(ConnectionError,), sleep=sleeps.append)(flaky)
    with pytest.raises(ConnectionError, match="failure 3"):
        wrapped()
    assert flaky.calls == 3
    assert sleeps == [1, 1]


def test_unlisted_exception_is_not_retried():
    flaky, sleeps = Flaky(1, error=KeyError), []
    wrapped = retry(times=5, exceptions=(ConnectionError,), sleep=sleeps.append)(flaky)
    with pytest.raises(KeyError):
        wrapped()
    assert flaky.calls == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("delay", "backoff", "expected"),
    [(1, 1, [1, 1, 1]), (1, 2, [1, 2, 4]), (0.5, 3, [0.5, 1.5, 4.5]), (0, 2, [0, 0, 0])],
)
def test_delay_sequence_is_delay_times_backoff_to_the_attempt(delay, backoff, expected):
    sleeps = []
    wrapped = retry(times=4, delay=delay, backoff=backoff, sleep=sleeps.append)(Flaky(10))
    with pytest.raises(ConnectionError):
        wrapped()
    assert sleeps == expected


def test_preserves_name_docstring_and_signature():
    import inspect

    @retry(times=2)
    def fetch(url: str, *, timeout: float = 1.0) -> str:
        """Fetch a thing."""
        return url

    assert fetch.__name__ == "fetch"
    assert fetch.__doc__ == "Fetch a thing."
    assert str(inspect.signature(fetch)) == "(url: str, *, timeout: float = 1.0) -> str"


def test_rejects_fewer_than_one_attempt():
    with pytest.raises(ValueError, match="at least 1"):
        retry(times=0)


def test_logs_each_retry(caplog):
    wrapped = retry(times=3, delay=0, sleep=lambda _: None)(Flaky(2))
    with caplog.at_level("WARNING", logger="config.retry"):
        wrapped()
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == 2


@pytest.mark.parametrize(("failures", "times", "succeeds"), [(0, 2, True), (2, 3, True), (3, 3, False)])
def test_async_functions_are_awaited_and_retried(failures, times, succeeds):
    calls, sleeps = [], []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    @retry(times=times, delay=2, backoff=2, exceptions=(TimeoutError,), sleep=fake_sleep)
    async def fetch() -> str:
        calls.append(1)
        await asyncio.sleep(0)
        if len(calls) <= failures:
            raise TimeoutError("slow")
        return "ok"

    assert asyncio.iscoroutinefunction(fetch)
    if succeeds:
        assert asyncio.run(fetch()) == "ok"
    else:
        with pytest.raises(TimeoutError):
            asyncio.run(fetch())
    assert len(calls) == min(failures + 1, times)
    assert sleeps == [2 * 2**i for i in range(len(calls) - 1)]
