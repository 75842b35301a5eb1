"""A purge that dies with its worker (the thread, its connection) is finished by the next start or upload."""

import io
import logging
import threading
import time

import psycopg
import pytest
from django.core.management import call_command

from deals.models import Deal, DealsDataset
from deals.services import PURGE_THREAD_NAME, dataset_replace
from tests.conftest import database_url
from tests.deals.conftest import SMALL_CSV, TWO_CUSTOMERS_CSV


def backend_waiting_on_a_lock(observer: psycopg.Connection, timeout: float = 10) -> int:
    """The pid of the backend of this database that waits on a lock (what pg_stat_activity shows, not a sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = observer.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.01)
    raise AssertionError("the purge never waited on the lock")


def superseded_leftovers() -> tuple[int, list[bool]]:
    old = DealsDataset.objects.filter(is_current=False)
    return Deal.objects.filter(dataset__in=old).count(), list(old.values_list("purged", flat=True))


@pytest.fixture
def killed_purge(transactional_db, settings, caplog):
    """Replace a dataset and kill the background purge's database session in the middle of its DELETE."""
    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    settings.DEALS_PURGE_IN_BACKGROUND = True
    with psycopg.connect(database_url(), autocommit=True) as observer, psycopg.connect(database_url()) as holder:
        # The second upload commits its switch; its purge thread then waits on a lock held on one of the old rows.
        holder.execute("SELECT 1 FROM deals_deal WHERE customer = 'alice' LIMIT 1 FOR UPDATE")
        with caplog.at_level(logging.ERROR, logger="deals.services"):
            dataset_replace(file=io.BytesIO(TWO_CUSTOMERS_CSV.encode()))
            observer.execute("SELECT pg_terminate_backend(%s)", [backend_waiting_on_a_lock(observer)])
            for thread in threading.enumerate():
                if thread.name == PURGE_THREAD_NAME:
                    thread.join(timeout=10)
        holder.rollback()
    assert "deals purge failed" in caplog.text
    assert superseded_leftovers() == (10, [False])  # what a dead worker leaves: rows of a superseded dataset
    settings.DEALS_PURGE_IN_BACKGROUND = False


def test_the_next_upload_finishes_a_killed_purge(killed_purge):
    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    assert Deal.objects.exclude(dataset__is_current=True).count() == 0
    assert set(DealsDataset.objects.filter(is_current=False).values_list("purged", flat=True)) == {True}


def test_the_next_start_finishes_a_killed_purge(killed_purge, capsys):
    call_command("purge_deals")
    assert superseded_leftovers() == (0, [True])
    assert "purged 10 deals" in capsys.readouterr().out
