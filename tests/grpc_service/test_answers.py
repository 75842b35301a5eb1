"""The sidecar's answer cache and remembered tokens: fast repeats, never a stale answer or an expired token.

Writes invalidate the answers by Redis pub/sub (grpc_service/invalidations.py); these tests publish for real.
"""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from books.cache import LISTS, book_scope, versions_replace
from books.services import author_update, book_rate, book_update
from grpc_service.answers import AnswerCache
from grpc_service.auth import JwtAuthInterceptor
from grpc_service.generated.books.v1 import books_pb2
from grpc_service.invalidations import Invalidations
from tests.config.factories import UserFactory
from tests.grpc_service.fixtures import TcpProxy, make_book, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


class Builds:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> bytes:
        self.count += 1
        return f"answer {self.count}".encode()


def test_an_answer_is_built_once_per_version_of_its_scope():
    answers, build = AnswerCache(maxsize=10), Builds()
    versions_replace([book_scope(1)])
    assert answers.get_or_build(book_scope(1), "GetBook:1", build) == b"answer 1"
    assert answers.get_or_build(book_scope(1), "GetBook:1", build) == b"answer 1"
    versions_replace([book_scope(1)])  # a write committed
    assert answers.get_or_build(book_scope(1), "GetBook:1", build) == b"answer 2"
    assert build.count == 2


def test_without_a_subscription_every_call_builds(closed_port):
    invalidations = Invalidations(url=f"redis://127.0.0.1:{closed_port}/0")
    answers, build = AnswerCache(maxsize=10, invalidations=invalidations), Builds()
    try:
        for _ in range(3):
            answers.get_or_build(LISTS, "ListBooks:0:20:None", build)
        assert build.count == 3
        assert invalidations.state == Invalidations.DOWN
    finally:
        invalidations.stop()


def test_an_invalidation_during_a_build_keeps_its_answer_out_of_the_cache():
    answers = AnswerCache(maxsize=10)

    def build_while_a_write_commits() -> bytes:
        versions_replace([book_scope(1)])
        assert wait_until(lambda: answers._generations.get(book_scope(1)), timeout=5)
        return b"built from the data before the write"

    assert answers.get_or_build(book_scope(1), "GetBook:1", build_while_a_write_commits)
    assert answers.get_or_build(book_scope(1), "GetBook:1", lambda: b"fresh") == b"fresh"
    assert answers.get_or_build(book_scope(1), "GetBook:1", lambda: b"not built") == b"fresh"


def test_other_scopes_stay_cached():
    answers, build = AnswerCache(maxsize=10), Builds()
    answers.get_or_build(book_scope(1), "GetBook:1", build)
    versions_replace([book_scope(2), LISTS])
    assert answers.get_or_build(book_scope(1), "GetBook:1", build) == b"answer 1"
    assert build.count == 1


def test_a_lost_subscription_empties_the_cache_and_builds_until_it_is_back():
    redis_url = settings.CACHES["default"]["LOCATION"]
    upstream = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    proxy = TcpProxy((upstream["host"], upstream["port"]))
    invalidations = Invalidations(url=f"redis://127.0.0.1:{proxy.port}/{upstream['db']}")
    answers, build = AnswerCache(maxsize=10, invalidations=invalidations), Builds()
    try:
        assert answers.get_or_build(LISTS, "ListBooks", build) == b"answer 1"
        assert answers.get_or_build(LISTS, "ListBooks", build) == b"answer 1"
        proxy.cut()  # what a Redis restart looks like; an invalidation published meanwhile never arrives
        assert wait_until(lambda: invalidations.state == Invalidations.DOWN, timeout=10)
        assert answers.get_or_build(LISTS, "ListBooks", build) == b"answer 2"
        assert answers.get_or_build(LISTS, "ListBooks", build) == b"answer 3"
        proxy.restore()
        assert wait_until(lambda: invalidations.state == Invalidations.LIVE, timeout=20)
        assert answers.get_or_build(LISTS, "ListBooks", build) == b"answer 4"
        assert answers.get_or_build(LISTS, "ListBooks", build) == b"answer 4"
    finally:
        invalidations.stop()
        proxy.close()


def test_the_cache_keeps_at_most_maxsize_answers():
    answers, build = AnswerCache(maxsize=2), Builds()
    versions_replace([LISTS])
    for name in ("a", "b", "c", "a"):
        answers.get_or_build(LISTS, name, build)
    assert build.count == 4  # "a" was evicted by "c"


def test_get_book_shows_a_new_rating_and_a_renamed_author(grpc_stub):
    book = make_book("Kindred", authors=("Octavia Butler",))
    assert grpc_stub.GetBook(books_pb2.GetBookRequest(id=book.pk)).rating_count == 0
    book_rate(book_id=book.pk, user=UserFactory(), score=4)
    author_update(author_id=book.authors.get().pk, name="Octavia E. Butler")
    answer = grpc_stub.GetBook(books_pb2.GetBookRequest(id=book.pk))
    assert (answer.rating_count, answer.rating, answer.author) == (1, 4.0, "Octavia E. Butler")


def test_list_books_shows_a_changed_title(grpc_stub):
    book = make_book("Dune")
    assert [b.title for b in grpc_stub.ListBooks(books_pb2.ListBooksRequest(page_size=5)).books] == ["Dune"]
    book_update(book_id=book.pk, title="Dune Messiah")
    assert [b.title for b in grpc_stub.ListBooks(books_pb2.ListBooksRequest(page_size=5)).books] == ["Dune Messiah"]


def test_a_remembered_token_is_refused_once_it_expires():
    interceptor = JwtAuthInterceptor()
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=timedelta(seconds=1))
    assert interceptor._valid(str(token))
    time.sleep(1.1)
    assert not interceptor._valid(str(token))


def test_a_forged_token_is_never_remembered():
    interceptor = JwtAuthInterceptor()
    forged = str(AccessToken.for_user(UserFactory()))[:-2] + "xx"
    assert not interceptor._valid(forged)
    assert not interceptor._valid(forged)


def test_remembered_tokens_are_bounded_and_the_oldest_goes_first():
    interceptor = JwtAuthInterceptor(remembered=3)
    user = UserFactory()
    tokens = [str(AccessToken.for_user(user)) for _ in range(5)]  # each has its own jti
    assert all(interceptor._valid(token) for token in tokens)
    assert list(interceptor._verified) == tokens[2:]
    assert interceptor._valid(tokens[0])  # verified again from its signature, then remembered anew
    assert list(interceptor._verified) == [*tokens[3:], tokens[0]]
