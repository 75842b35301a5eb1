"""Writes of the deals app: load an uploaded deals.csv with COPY and switch the current dataset atomically."""

import logging
import re
import threading
import time
from collections.abc import Callable
from queue import Queue
from typing import BinaryIO, Protocol

import psycopg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from psycopg.copy import QueuedLibpqWriter

from config.api import upload_body_too_large
from deals.csv_rows import DealsCsv, deal_rows
from deals.exceptions import DealsFileError
from deals.models import Deal, DealsDataset, DealsUpload, deal_partition
from deals.selectors import CACHE_TIMEOUT, dataset_top_customers_compute, top_customers_cache_key

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock key that serializes dataset switches (any constant unique to this app).
SWITCH_LOCK_KEY = 3_000_007
PURGE_LOCK_KEY = 3_000_008
PURGE_THREAD_NAME = "deals-purge"
COPY_QUEUE_BUFFERS = 16  # psycopg queues buffers of at most 128 KB: 2 MB between validation and the socket


# A dataset's table: the columns of deals_deal (migration 0004) written out rather than copied with LIKE, which
# would lock deals_deal for the whole upload; the purge's DROP TABLE needs deals_deal to itself for a moment, so it
# would wait for every upload in progress, and every upload started meanwhile would queue behind it. ATTACH
# PARTITION refuses a table whose columns or CHECKs differ from deals_deal's, so a drift cannot go unnoticed. The
# CHECK on dataset_id lets ATTACH skip its scan of the rows.
DATASET_TABLE_SQL = """CREATE TABLE {table} (
    id bigint NOT NULL DEFAULT nextval('deals_deal_id_seq'),
    customer text NOT NULL,
    item text NOT NULL,
    total numeric(14, 2) NOT NULL,
    quantity integer NOT NULL CONSTRAINT deals_deal_quantity_check CHECK (quantity >= 0),
    date timestamp with time zone NOT NULL,
    dataset_id bigint NOT NULL DEFAULT {dataset_id} CHECK (dataset_id = {dataset_id})
)"""


class _BoundedQueuedWriter(QueuedLibpqWriter):
    """psycopg's COPY writer thread (it sends one block while the next is validated, so Python's and PostgreSQL's
    work overlap), with a queue short enough to keep the worker's memory flat when PostgreSQL is the slower one."""

    def __init__(self, cursor: psycopg.Cursor) -> None:
        super().__init__(cursor)
        self._queue = Queue(maxsize=COPY_QUEUE_BUFFERS)


def _copy_deals(*, dataset_id: int, file: BinaryIO) -> int:
    """Validate and stream the file with COPY into a new table of the dataset's own, on Django's connection (same
    transaction); `_attach_deals` makes it a partition of deals_deal at the switch.

    The table is created in this transaction, so COPY writes its rows frozen (FREEZE): reading them for the top-5
    does not write every page again to set hint bits. The dataset comes from the column default, so the validated
    CSV goes to COPY unchanged. Values only PostgreSQL rejects (a 30th of February) are located and explained by
    re-reading the file with the reference validator.
    """
    deals_csv = DealsCsv(file)
    table = deal_partition(dataset_id)
    with connection.cursor() as cursor:
        cursor.execute(DATASET_TABLE_SQL.format(table=table, dataset_id=int(dataset_id)))
    copy_sql = f"COPY {table} ({', '.join(deals_csv.columns)}) FROM STDIN (FORMAT csv, FREEZE)"
    try:
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(copy_sql, writer=_BoundedQueuedWriter(cursor)) as copy,
        ):
            for chunk in deals_csv.chunks():
                copy.write(chunk)
    except psycopg.errors.DataError as exc:
        raise _explain_rejection(exc, file) from exc
    return deals_csv.rows


def _attach_deals(*, dataset_id: int) -> None:
    # SHARE UPDATE EXCLUSIVE on deals_deal until commit, which blocks no reader; a purge's DROP TABLE waits for it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {Deal._meta.db_table} ATTACH PARTITION {deal_partition(dataset_id)} "
            f"FOR VALUES IN ({int(dataset_id)})"
        )


def _explain_rejection(exc: psycopg.errors.DataError, file: BinaryIO) -> DealsFileError:
    file.seek(0)
    try:
        for _ in deal_rows(file):
            pass
    except DealsFileError as located:
        return located
    logger.warning("deals file rejected by PostgreSQL only: %s (%s)", exc.diag.message_primary, exc.diag.context)
    copy_line = re.search(r"line (\d+)", exc.diag.context or "")
    line = int(copy_line.group(1)) + 1 if copy_line else "?"  # COPY counts records after the header
    return DealsFileError(f"line {line}: {exc.diag.message_primary}")


def dataset_replace(
    *,
    file: BinaryIO,
    filename: str = "",
    user: AbstractBaseUser | None = None,
    check_before_switch: Callable[[], None] | None = None,
) -> DealsDataset:
    """Load a whole deals.csv as a new dataset and make it the current one, or change nothing.

    `check_before_switch` runs once the rows are loaded and may still refuse them by raising.

    Loading happens in one transaction that ends with a short switch under an advisory lock, so
    readers see the old or the new dataset, never a mix, and of concurrent uploads the last switch wins.
    The superseded dataset is purged afterwards, outside the switch.
    """
    started = time.monotonic()
    with transaction.atomic():
        dataset = DealsDataset.objects.create(uploaded_by=user, filename=filename[:255])
        dataset.rows = _copy_deals(dataset_id=dataset.pk, file=file)
        if dataset.rows == 0:
            raise DealsFileError("line 2: the file has a header but no deals")
        if check_before_switch is not None:
            check_before_switch()
        copied = time.monotonic()
        # Only the new dataset's table is read: no other dataset's rows, no statistics needed for the plan.
        dataset.top_customers = dataset_top_customers_compute(dataset_id=dataset.pk)
        computed = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWITCH_LOCK_KEY])
        _attach_deals(dataset_id=dataset.pk)
        DealsDataset.objects.filter(is_current=True).update(is_current=False)
        dataset.is_current = True
        dataset.save(update_fields=["rows", "top_customers", "is_current"])
        top, key = dataset.top_customers, top_customers_cache_key(dataset.pk)
        transaction.on_commit(lambda: cache.set(key, top, CACHE_TIMEOUT))
    logger.info(
        "deals dataset %s loaded rows=%s copy=%.2fs top=%.2fs switch=%.3fs",
        dataset.pk,
        dataset.rows,
        copied - started,
        computed - copied,
        time.monotonic() - computed,
    )
    _purge_after_switch()
    return dataset


def _purge_after_switch() -> None:
    """Purge synchronously, or in a thread so the upload answers without waiting for a big DELETE.

    A purge that dies (worker restart, DB error) is redone by the next one: it takes every superseded dataset.
    """
    if not settings.DEALS_PURGE_IN_BACKGROUND:
        datasets_purge_superseded()
        return
    threading.Thread(target=_purge_in_thread, name=PURGE_THREAD_NAME, daemon=True).start()


def _purge_in_thread() -> None:
    try:
        datasets_purge_superseded()
    except DatabaseError:
        logger.exception("deals purge failed; the next upload retries it")
    finally:
        connection.close()


def datasets_purge_superseded() -> int:
    """Drop the deals of every committed dataset that is no longer current (the dataset rows stay).

    Datasets still loading are invisible to this transaction, so a concurrent upload is never touched.
    """
    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One purge at a time: two would each read every partition (the count), then wait for the other's
            # read lock to drop a table: a deadlock. The second then finds nothing left to purge.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PURGE_LOCK_KEY])
        superseded = list(DealsDataset.objects.filter(is_current=False, purged=False).values_list("pk", flat=True))
        if not superseded:
            return 0
        deleted = Deal.objects.filter(dataset_id__in=superseded).count()  # reads only their partitions
        with connection.cursor() as cursor:
            for dataset_id in superseded:  # a dataset whose upload failed or held no deals has no table
                cursor.execute(f"DROP TABLE IF EXISTS {deal_partition(dataset_id)}")
        DealsDataset.objects.filter(pk__in=superseded).update(purged=True, top_customers=[])
    logger.info("deals datasets purged ids=%s deals=%s purge=%.2fs", superseded, deleted, time.monotonic() - started)
    return deleted


class UploadForm(Protocol):
    """The multipart form of one POST /deals, read while it arrives (deals.multipart.DealsForm)."""

    def first_file(self) -> tuple[str, BinaryIO] | None:
        """The name and a reader of the `deals` field's first file, once it starts; None if there is none."""

    def finish(self) -> tuple[int, int]:
        """Once the whole form is read: how many files the field holds and the first one's size in bytes."""


def deals_upload(*, form: UploadForm | None, user: AbstractBaseUser | None, request_bytes: int = 0) -> DealsUpload:
    """Handle one POST /deals: replace the dataset and record the attempt; DealsFileError on a bad request or file.

    `form` is None when the request has no form to read (no body, or one too large to read: `request_bytes`).
    The file is loaded while it arrives; what is wrong with the form itself (a second file, a file over the limit)
    is known only at its end and outranks what is wrong with the file's content, as if it had been checked first.
    """
    started = time.monotonic()
    upload = DealsUpload(user=user, size=request_bytes)
    limit = settings.DEALS_MAX_UPLOAD_BYTES

    def check_form() -> None:
        files, upload.size = form.finish()
        if files > 1:
            raise DealsFileError(f'send one file in the "deals" field, not {files}')
        if upload.size > limit:
            raise DealsFileError(f"the file is {upload.size} bytes, the limit is {limit} bytes")

    try:
        if upload_body_too_large(request_bytes, limit):
            raise DealsFileError(f"the request is {request_bytes} bytes, the file limit is {limit} bytes")
        first = form.first_file() if form is not None else None
        if first is None:
            if form is not None:
                form.finish()  # a malformed body or an oversized field answers as such
            raise DealsFileError('the "deals" file field is required (multipart/form-data)')
        upload.filename, file = first[0][:255], first[1]
        try:
            dataset = dataset_replace(file=file, filename=upload.filename, user=user, check_before_switch=check_form)
        except DealsFileError:
            check_form()
            raise
    except DealsFileError as exc:
        upload.status, upload.error = DealsUpload.Status.ERROR, exc.message
        upload.duration = time.monotonic() - started
        upload.save()
        logger.info("deals upload rejected filename=%s error=%s", upload.filename, exc.message)
        raise
    upload.status, upload.rows, upload.dataset = DealsUpload.Status.OK, dataset.rows, dataset
    upload.duration = time.monotonic() - started
    upload.save()
    logger.info("deals upload done filename=%s rows=%s seconds=%.2f", upload.filename, dataset.rows, upload.duration)
    return upload
