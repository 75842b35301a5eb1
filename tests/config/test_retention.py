"""Published outbox rows and handled event ids older than EVENTS_RETENTION_DAYS are purged in batches."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from books.models import OutboxEvent
from books.outbox import outbox_purge_published
from config.retention import PeriodicPurge
from grpc_service.consumer import consumed_events_purge
from grpc_service.models import ConsumedEvent

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def outbox_row(*, published_days_ago: float | None) -> OutboxEvent:
    published_at = None if published_days_ago is None else NOW - datetime.timedelta(days=published_days_ago)
    return OutboxEvent.objects.create(type="book.created", aggregate_id=1, payload={}, published_at=published_at)


def consumed_row(*, days_ago: float) -> ConsumedEvent:
    row = ConsumedEvent.objects.create(event_id=uuid.uuid4(), type="book.created", aggregate_id=1)
    ConsumedEvent.objects.filter(pk=row.pk).update(consumed_at=NOW - datetime.timedelta(days=days_ago))
    return row


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_only_published_rows_past_the_retention_go(batch_size):
    old = [outbox_row(published_days_ago=days) for days in (7.01, 8, 30, 365)]
    kept = [outbox_row(published_days_ago=days) for days in (0, 1, 6.99)]
    never_published = outbox_row(published_days_ago=None)
    assert outbox_purge_published(now=NOW, batch_size=batch_size) == len(old)
    remaining = set(OutboxEvent.objects.values_list("pk", flat=True))
    assert remaining == {row.pk for row in kept} | {never_published.pk}


@override_settings(EVENTS_RETENTION_DAYS=2)
def test_the_retention_is_a_setting():
    outbox_row(published_days_ago=3)
    outbox_row(published_days_ago=1)
    assert outbox_purge_published(now=NOW) == 1


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_handled_event_ids_past_the_retention_go(batch_size):
    old = [consumed_row(days_ago=days) for days in (7.5, 10)]
    kept = [consumed_row(days_ago=days) for days in (0, 6.5)]
    assert consumed_events_purge(now=NOW, batch_size=batch_size) == len(old)
    assert set(ConsumedEvent.objects.values_list("pk", flat=True)) == {row.pk for row in kept}


def test_the_command_purges_both(capsys):
    outbox_row(published_days_ago=8)
    consumed_row(days_ago=8)
    call_command("purge_events")
    assert "deleted 1 published outbox rows and 1 handled event ids older than 7 days" in capsys.readouterr().out
    assert not OutboxEvent.objects.exists()
    assert not ConsumedEvent.objects.exists()


def test_a_periodic_purge_runs_at_once_then_waits_its_interval():
    calls: list[int] = []
    purge = PeriodicPurge("test", lambda: calls.append(1) or 0, interval=3600)
    purge.maybe_run()
    purge.maybe_run()
    assert calls == [1]
    purge.next_run = 0  # the interval has passed
    purge.maybe_run()
    assert calls == [1, 1]
