"""Retention of bookkeeping rows that would otherwise grow forever (published outbox rows, handled event ids).

Old rows are deleted a small batch per transaction, so a purge never holds many locks or a long transaction
next to the writes it shares the table with. Long-running loops (the relay, the consumer) call
`PeriodicPurge.maybe_run()` between their waits; `manage.py purge_events` runs the same purges at once.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Rows older than this are past EVENTS_RETENTION_DAYS."""
    return (now or timezone.now()) - timedelta(days=settings.EVENTS_RETENTION_DAYS)


def purge_before(rows: QuerySet, *, field: str, cutoff: datetime, batch_size: int | None = None) -> int:
    """Delete the rows of `rows` whose `field` is before `cutoff`, oldest first, `batch_size` per transaction."""
    batch_size = batch_size or settings.EVENTS_PURGE_BATCH_SIZE
    old = rows.filter(**{f"{field}__lt": cutoff}).order_by("pk")
    deleted = 0
    while True:
        ids = list(old.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        count, _ = rows.model.objects.filter(pk__in=ids).delete()
        deleted += count
        if len(ids) < batch_size:
            return deleted


class PeriodicPurge:
    """Runs `purge` at most every EVENTS_PURGE_INTERVAL_SECONDS; a database error only postpones it."""

    def __init__(self, name: str, purge: Callable[[], int], *, interval: float | None = None) -> None:
        self.name, self.purge = name, purge
        self.interval = interval if interval is not None else settings.EVENTS_PURGE_INTERVAL_SECONDS
        self.next_run = time.monotonic()  # the first call purges what piled up while the process was down

    def maybe_run(self) -> int:
        if time.monotonic() < self.next_run:
            return 0
        self.next_run = time.monotonic() + self.interval
        try:
            deleted = self.purge()
        except DatabaseError as exc:
            logger.warning("%s: retention purge failed (%s); next try in %.0f s", self.name, exc, self.interval)
            return 0
        if deleted:
            logger.info("%s: deleted %d rows older than %d days", self.name, deleted, settings.EVENTS_RETENTION_DAYS)
        return deleted
