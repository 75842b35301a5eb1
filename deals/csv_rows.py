"""Streaming validation of deals.csv, producing CSV that PostgreSQL's COPY loads as is.

Two paths accept exactly the same files:
- fast: the file is read in ~1 MB blocks cut at a newline; a block's bytes are matched as a whole by one
  regex of plain lines (no quotes, fields in the header's order). Such a block is passed to COPY untouched, so
  Python does no per-row work; PostgreSQL checks the encoding and parses the values, like `\\copy`.
- slow (from the first block that does not match): line by line with csv.reader, every row validated
  with the rules below and re-written as CSV; quoted fields, commas, newlines in fields, blank lines.
`deal_rows` is the reference validator: it names the exact line and problem of any file PostgreSQL
rejects (e.g. 2018-02-30, which the fast regex lets through, or a byte that is not UTF-8).
"""

import csv
import io
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain
from typing import BinaryIO

from django.conf import settings

from config.api import truncated
from deals.exceptions import DealsFileError

COLUMNS = ("customer", "item", "total", "quantity", "date")
MAX_TOTAL_DIGITS = 12  # numeric(14, 2)
MAX_QUANTITY = 2**31 - 1
READ_BLOCK_BYTES = 1 << 20
MAX_LINE_BYTES = 1 << 20
SLOW_BATCH_CHARS = 1 << 20
UTF8_BOM = "\ufeff"
SHOWN_NAMES, SHOWN_NAME_CHARS = 5, 32  # of the header names an error message echoes

TOTAL_RE = re.compile(r"\d{1,%d}(?:\.\d{1,2})?" % MAX_TOTAL_DIGITS, re.ASCII)  # noqa: UP031
QUANTITY_RE = re.compile(r"0*[1-9]\d{0,9}", re.ASCII)
DATE_RE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d(?::?\d\d)?)?", re.ASCII)
# The fast path's view of one field; anything else (quotes, blanks around, NUL) goes the slow way. Every quantifier
# is possessive (`*+`, `?+`): what follows it can never match what it consumed, so the language is the same, and
# the regex engine keeps no backtracking state per line (three times faster on a block of plain lines).
FAST_FIELDS = {
    "customer": r'[^\s,"\x00][^,"\r\n\x00]*+',
    "item": r'[^\s,"\x00][^,"\r\n\x00]*+',
    "total": r"\d{1,%d}+(?:\.\d{1,2}+)?+" % MAX_TOTAL_DIGITS,  # noqa: UP031
    "quantity": r"[1-9]\d{0,8}+",  # below 2**31 by construction
    "date": r"\d{4}-[01]\d-[0-3]\d[ T][0-2]\d:[0-5]\d:[0-5]\d(?:\.\d{1,6}+)?+(?:Z|[+-][01]\d(?::?+[0-5]\d)?+)?+",
}

# A validated row in COLUMNS order, as text PostgreSQL parses itself.
DealRow = tuple[str, str, str, str, str]


def _decode(raw: bytes, first_line: int) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + raw.count(b"\n", 0, exc.start)
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DealsFileError(
            f"line {line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); save it as UTF-8"
        ) from exc
    if "\x00" in text:
        line = first_line + text.count("\n", 0, text.index("\x00"))
        raise DealsFileError(f"line {line}: the file contains a NUL character")
    return text


def _listed(names: list[str], quote: str = "") -> str:
    """At most SHOWN_NAMES names, each cut short: an error message stays short whatever the header holds."""
    shown = ", ".join(f"{quote}{truncated(name, SHOWN_NAME_CHARS)}{quote}" for name in names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")


def read_header(file: BinaryIO) -> str:
    """The decoded header line (BOM removed), read within DEALS_MAX_HEADER_BYTES."""
    limit = settings.DEALS_MAX_HEADER_BYTES
    raw = file.readline(limit + 1)
    if not raw.strip(b"\r\n"):
        raise DealsFileError("line 1: the file is empty" if not raw else "line 1: the header is empty")
    if len(raw) > limit:
        raise DealsFileError(f"line 1: the header is longer than {limit} bytes; it must be {','.join(COLUMNS)}")
    return _decode(raw, 1).removeprefix(UTF8_BOM)


def _header_order(header: list[str]) -> list[int]:
    """Index of each of COLUMNS in the file's header (the order may differ); linear in the header's length."""
    if len(header) > settings.DEALS_MAX_HEADER_COLUMNS:
        raise DealsFileError(
            f"line 1: the header has {len(header)} columns; it must be {','.join(COLUMNS)} (any order)"
        )
    names = [name.strip() for name in header]
    counts = Counter(names)
    missing = [column for column in COLUMNS if column not in counts]
    unexpected = [name for name in names if name not in COLUMNS]
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    problems = []
    if missing:
        problems.append("missing " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected " + _listed(unexpected, quote='"'))
    if duplicated:
        problems.append("duplicated " + _listed(duplicated))
    if problems:
        raise DealsFileError(f"line 1: the header must be {','.join(COLUMNS)} (any order): {'; '.join(problems)}")
    return [names.index(column) for column in COLUMNS]


def _validate(line: int, customer: str, item: str, total: str, quantity: str, date: str) -> DealRow:
    """The rules of one row; customer and item are kept as written, the others may have blanks around."""
    total, quantity, date = total.strip(), quantity.strip(), date.strip()
    if not customer.strip(string.whitespace):  # ASCII blanks, as the fast path sees them
        raise DealsFileError(f"line {line}: customer must not be empty")
    if not item.strip(string.whitespace):
        raise DealsFileError(f"line {line}: item must not be empty")
    if TOTAL_RE.fullmatch(total) is None:
        raise DealsFileError(
            f"line {line}: total must be a non-negative number with at most 2 decimals "
            f'and {MAX_TOTAL_DIGITS} integer digits, got "{total}"'
        )
    if QUANTITY_RE.fullmatch(quantity) is None or int(quantity) > MAX_QUANTITY:
        raise DealsFileError(f'line {line}: quantity must be a positive integer, got "{quantity}"')
    if DATE_RE.fullmatch(date) is None:
        raise DealsFileError(
            f'line {line}: date must be an ISO date-time "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]", got "{date}"'
        )
    try:
        parsed = datetime.fromisoformat(date)
    except ValueError as exc:
        raise DealsFileError(f'line {line}: date is not a valid date-time ({exc}), got "{date}"') from exc
    if parsed.utcoffset() is not None and abs(parsed.utcoffset().total_seconds()) >= 16 * 3600:
        raise DealsFileError(f'line {line}: date has a UTC offset beyond ±15:59, got "{date}"')
    return customer, item, total, quantity, date


class _Lines:
    """Decoded lines that count themselves, with a way to push one back for csv.reader."""

    def __init__(self, lines: Iterable[str], line: int) -> None:
        self.lines, self.pending, self.line = iter(lines), [], line

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.pending:
            return self.pending.pop()
        text = next(self.lines)
        self.line += 1
        return text


class DealsCsv:
    """An uploaded deals.csv being read: `columns` (the header's order), then `chunks()` for COPY ... CSV."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.rows = 0
        self.line = 1  # physical lines read so far
        text = read_header(file)
        self.newline = "\r\n" if text.endswith("\r\n") else "\n"
        try:
            header = next(csv.reader([text]))
        except csv.Error as exc:
            raise DealsFileError(f"line 1: malformed CSV ({exc})") from exc
        self.order = _header_order(header)
        self.columns = sorted(COLUMNS, key=lambda column: self.order[COLUMNS.index(column)])
        line_re = ",".join(FAST_FIELDS[column] for column in self.columns)
        # The block regex runs on the bytes, about twice as fast as on the decoded text, for the same language on
        # valid UTF-8: every byte of a multi-byte character is >= 0x80, which the field classes accept or refuse
        # exactly as they do the character (none of them names a non-ASCII one).
        self._fast_block = re.compile(f"(?:{line_re}{re.escape(self.newline)})*+".encode()).fullmatch
        self._fast_line = re.compile(f"{line_re}\r?\n", re.ASCII).fullmatch

    def chunks(self) -> Iterator[bytes]:
        """CSV bytes (no header, the header's column order) of the validated rows."""
        rest = b""
        while block := self.file.read(READ_BLOCK_BYTES):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            if not block:  # no newline yet: one long line
                if len(rest) > MAX_LINE_BYTES:
                    raise DealsFileError(f"line {self.line + 1}: longer than {MAX_LINE_BYTES} bytes")
                continue
            if self._fast_block(block) is None:
                text = _decode(block, self.line + 1)
                # split on "\n" only: str.splitlines would also split inside fields at \u2028, \x1c, ...
                yield from self._slow([line + "\n" for line in text.split("\n")[:-1]], rest)
                return
            # A plain block is not decoded: COPY checks the encoding as it reads (strict UTF-8, like Python's), and
            # a file it rejects is re-read by deal_rows, which names the line and column of the first bad byte.
            lines = block.count(b"\n")
            self.rows += lines
            self.line += lines
            yield block
        if rest:  # the last line has no newline
            yield from self._slow([_decode(rest, self.line + 1) + self.newline], b"")

    def _tail(self, rest: bytes, lines: _Lines) -> Iterator[str]:
        """The lines after the current block, decoded one by one (so an error names its line)."""
        for raw in chain([rest + self.file.readline()] if rest else [], self.file):
            yield _decode(raw, lines.line + 1)

    def _slow(self, decoded: list[str], rest: bytes) -> Iterator[bytes]:
        lines = _Lines([], self.line)
        lines.lines = chain(decoded, self._tail(rest, lines))
        reader = csv.reader(lines, strict=True)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=self.newline)
        fast_line, order = self._fast_line, self.order
        for text in lines:
            if fast_line(text) is not None:
                out.write(text.rstrip("\r\n") + self.newline)
            elif text in ("\n", "\r\n"):  # a blank line, e.g. a trailing one
                continue
            else:
                lines.pending.append(text)
                try:
                    fields = next(reader)
                except csv.Error as exc:
                    raise DealsFileError(f"line {lines.line}: malformed CSV ({exc})") from exc
                if len(fields) != len(COLUMNS):
                    raise DealsFileError(f"line {lines.line}: expected {len(COLUMNS)} fields, got {len(fields)}")
                row = _validate(lines.line, *(fields[index] for index in order))
                writer.writerow(row[COLUMNS.index(column)] for column in self.columns)
            self.rows += 1
            if out.tell() >= SLOW_BATCH_CHARS:
                yield out.getvalue().encode()
                out.seek(0)
                out.truncate()
        self.line = lines.line
        if out.tell():
            yield out.getvalue().encode()


def deal_rows(file: BinaryIO) -> Iterator[tuple[int, DealRow]]:
    """The reference validator: yield (line, row) for every row, raise DealsFileError at the first problem."""
    header = read_header(file)
    lines = _Lines([], 0)
    lines.lines = chain([header], (_decode(raw, lines.line + 1) for raw in file))
    reader = csv.reader(lines, strict=True)
    try:
        order = _header_order(next(reader))
        for fields in reader:
            if not fields:
                continue
            if len(fields) != len(COLUMNS):
                raise DealsFileError(f"line {lines.line}: expected {len(COLUMNS)} fields, got {len(fields)}")
            yield lines.line, _validate(lines.line, *(fields[index] for index in order))
    except csv.Error as exc:
        raise DealsFileError(f"line {lines.line}: malformed CSV ({exc})") from exc
