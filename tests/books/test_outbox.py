"""Book events are outbox rows written in the transaction of the change (the relay publishes them)."""

import datetime
import select

import psycopg
import pytest
from django.db import connection, transaction

from books.models import Book, OutboxEvent
from books.outbox import OUTBOX_CHANNEL, book_event_payload, outbox_record
from books.selectors import book_get
from books.services import (
    author_delete,
    author_update,
    book_create,
    book_delete,
    book_rate,
    book_rating_withdraw,
    book_update,
)
from tests.books.factories import AuthorFactory, BookFactory
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db


def events() -> list[tuple[str, int]]:
    return list(OutboxEvent.objects.order_by("id").values_list("type", "aggregate_id"))


def test_create_writes_one_created_event_with_the_api_payload(auth_client):
    author = AuthorFactory(name="Frank Herbert")
    response = auth_client.post(
        "/books", {"title": "Dune", "published_on": "1965-08-01", "author_ids": [author.pk]}, format="json"
    )
    assert response.status_code == 201
    event = OutboxEvent.objects.get()
    assert (event.type, event.aggregate_id, event.published_at) == ("book.created", response.json()["id"], None)
    api_view = {key: value for key, value in response.json().items() if key != "my_rating"}
    assert event.payload == api_view
    assert event.payload["authors"] == [{"id": author.pk, "name": "Frank Herbert"}]
    assert event.payload["rating"] is None


def test_update_writes_one_updated_event_matching_the_detail(auth_client):
    book = BookFactory()
    book_rate(book_id=book.pk, user=UserFactory(), score=4)
    response = auth_client.patch(f"/books/{book.pk}", {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    event = OutboxEvent.objects.get()
    assert (event.type, event.aggregate_id) == ("book.updated", book.pk)
    assert event.payload == {key: value for key, value in response.json().items() if key != "my_rating"}
    assert event.payload["rating"] == 4.0
    assert auth_client.get(f"/books/{book.pk}").json() | {"my_rating": None} == event.payload | {"my_rating": None}


@pytest.mark.parametrize(
    "changes",
    [{"title": "New title"}, {"published_on": datetime.date(1990, 1, 2)}, {"author_ids": "new"}],
    ids=["title", "published_on", "authors"],
)
def test_each_kind_of_change_is_an_update(changes):
    book = BookFactory()
    if changes.get("author_ids") == "new":
        changes = {"author_ids": [AuthorFactory().pk]}
    book_update(book_id=book.pk, **changes)
    assert events() == [("book.updated", book.pk)]


def test_update_without_a_change_writes_nothing():
    book = BookFactory()
    book_update(
        book_id=book.pk,
        title=book.title,
        published_on=book.published_on,
        author_ids=list(book.authors.values_list("id", flat=True)),
    )
    assert events() == []


def test_delete_writes_id_and_title():
    book = BookFactory(title="Gone")
    book_delete(book_id=book.pk)
    event = OutboxEvent.objects.get()
    assert (event.type, event.aggregate_id, event.payload) == (
        "book.deleted",
        book.pk,
        {"id": book.pk, "title": "Gone"},
    )


def test_rating_is_not_a_book_update():
    book = BookFactory()
    user = UserFactory()
    book_rate(book_id=book.pk, user=user, score=5)
    book_rate(book_id=book.pk, user=user, score=2)
    book_rating_withdraw(book_id=book.pk, user=user)
    assert events() == []


def test_author_rename_is_not_a_book_event():
    author = AuthorFactory()
    BookFactory(authors=[author])
    author_update(author_id=author.pk, name="Renamed")
    assert events() == []


def test_removing_an_author_updates_each_of_their_books():
    author, other = AuthorFactory.create_batch(2)
    first, second = BookFactory(authors=[author, other]), BookFactory(authors=[author, other])
    BookFactory(authors=[other])
    author_delete(author_id=author.pk)
    assert events() == [("book.updated", first.pk), ("book.updated", second.pk)]
    payload = OutboxEvent.objects.filter(aggregate_id=first.pk).get().payload
    assert payload["authors"] == [{"id": other.pk, "name": other.name}]


def test_refused_author_delete_writes_nothing():
    BookFactory(authors=[author := AuthorFactory()])
    with pytest.raises(Exception, match="only author"):
        author_delete(author_id=author.pk)
    assert events() == []


def in_failing_transaction(write) -> None:
    """Run `write` inside a transaction that then fails and rolls back."""
    with transaction.atomic():
        write()
        raise RuntimeError("the surrounding transaction fails")


def test_rolled_back_write_leaves_no_event():
    author = AuthorFactory()
    create = lambda: book_create(title="Never", published_on=datetime.date(2000, 1, 1), author_ids=[author.pk])  # noqa: E731
    with pytest.raises(RuntimeError):
        in_failing_transaction(create)
    assert events() == []
    assert not Book.objects.exists()


def test_failed_write_leaves_no_event():
    with pytest.raises(Exception, match="Unknown author"):
        book_create(title="Never", published_on=datetime.date(2000, 1, 1), author_ids=[987654])
    assert events() == []


def test_event_payload_helper_matches_the_detail():
    book = BookFactory()
    payload = book_event_payload(book_get(book_id=book.pk))
    assert set(payload) == {
        "id",
        "title",
        "author",
        "published_on",
        "authors",
        "rating",
        "rating_count",
        "created_at",
        "updated_at",
    }


@pytest.mark.django_db(transaction=True)
def test_notify_is_delivered_only_on_commit():
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        autocommit=True,
    ) as listener:
        listener.execute(f"LISTEN {OUTBOX_CHANNEL}")

        def notified(timeout: float) -> int:
            count = 0
            ready, _, _ = select.select([listener.fileno()], [], [], timeout)
            if ready:
                count = len(list(listener.notifies(timeout=0.2, stop_after=100)))
            return count

        with pytest.raises(RuntimeError):
            in_failing_transaction(
                lambda: outbox_record(event_type="book.deleted", aggregate_id=1, payload={"id": 1, "title": "x"})
            )
        assert notified(0.5) == 0

        with transaction.atomic():
            outbox_record(event_type="book.deleted", aggregate_id=2, payload={"id": 2, "title": "y"})
            assert notified(0.3) == 0  # not yet committed
        assert notified(2) >= 1
    assert events() == [("book.deleted", 2)]


@pytest.mark.parametrize("names", [("alice", "Bob", "Émile"), ("Same", "Same", "same"), ("b", "a b", "ab")])
def test_created_book_answer_and_event_list_authors_as_the_database_orders_them(names):
    authors = [AuthorFactory(name=name) for name in names]
    book = book_create(title="Order", published_on=datetime.date(2000, 1, 1), author_ids=[a.pk for a in authors])
    expected = book_event_payload(book_get(book_id=book.pk))  # read back: PostgreSQL's ORDER BY name, id
    assert book_event_payload(book) == expected
    assert OutboxEvent.objects.get(aggregate_id=book.pk).payload == expected
