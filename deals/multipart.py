"""POST /deals' multipart body, parsed by a thread of its own while the request's thread loads the file.

Django's parser writes the first file of the `deals` field to a temporary file, and the loading side reads that
file as it grows (waiting at its end until more has arrived), so receiving the body, validating it and
PostgreSQL's COPY all overlap instead of following one another. The temporary file is also what lets a rejected
file be read again from its start, to name the line PostgreSQL refused.
"""

import io
import os
import tempfile
import threading
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from rest_framework.exceptions import ParseError

FIELD = "deals"
PARSER_THREAD_NAME = "deals-multipart"


class _Spool:
    """A temporary file that one thread appends to and others read, each read waiting for the bytes it wants."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="deals-upload-")  # noqa: SIM115 - closed by DealsForm.__exit__
        self._written = 0
        self._complete = False
        self._grown = threading.Condition()

    def append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._file.fileno(), view) :]
        with self._grown:
            self._written += len(data)
            self._grown.notify_all()

    def complete(self) -> None:
        with self._grown:
            self._complete = True
            self._grown.notify_all()

    def read_into(self, buffer: memoryview, position: int) -> int:
        with self._grown:
            while self._written <= position and not self._complete:
                self._grown.wait()
            available = self._written - position
        if available <= 0:
            return 0
        return os.preadv(self._file.fileno(), [buffer[:available]], position)

    def close(self) -> None:
        self._file.close()


class _SpoolReader(io.RawIOBase):
    def __init__(self, spool: _Spool) -> None:
        super().__init__()
        self._spool, self._position = spool, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only absolute positions")
        self._position = offset
        return offset

    def readinto(self, buffer: memoryview) -> int:
        count = self._spool.read_into(memoryview(buffer).cast("B"), self._position)
        self._position += count
        return count


class _DealsFileHandler(FileUploadHandler):
    """Writes the first file of the `deals` field to the spool; counts, and skips, every other file."""

    def __init__(self, form: "DealsForm") -> None:
        super().__init__()
        self.form = form

    def new_file(self, field_name: str, file_name: str, *args: object, **kwargs: object) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != FIELD:
            raise SkipFile
        self.form.files += 1
        if self.form.files > 1:
            raise SkipFile
        self.form.filename = file_name
        self.form.started.set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.form.spool.append(raw_data)

    def file_complete(self, file_size: int) -> None:
        self.form.size = file_size
        self.form.spool.complete()


class DealsForm:
    """The `deals` field of one multipart request, as `deals_upload` reads it (see UploadForm there).

    Use it as a context manager: leaving it waits for the parser thread, which must not read the request body
    while the server answers, and removes the temporary file.
    """

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.spool = _Spool()
        self.started = threading.Event()
        self.filename, self.files, self.size = "", 0, 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._parse, name=PARSER_THREAD_NAME, daemon=True)

    def __enter__(self) -> "DealsForm":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._thread.join()
        self.spool.close()

    def _parse(self) -> None:
        encoding = self.request.encoding or settings.DEFAULT_CHARSET
        try:
            parser = MultiPartParser(self.request.META, self.request, [_DealsFileHandler(self)], encoding)
            self.request._post, self.request._files = parser.parse()
        except MultiPartParserError as exc:  # the answer Django REST framework's MultiPartParser gives
            self.request._mark_post_parse_error()
            self._error = ParseError(f"Multipart form parse error - {exc}")
        except Exception as exc:  # RequestDataTooBig, TooManyFilesSent, a client gone mid-body: raised as they are
            self.request._mark_post_parse_error()
            self._error = exc
        finally:
            self.spool.complete()  # the reader sees the end of what arrived; finish() raises the error
            self.started.set()

    def first_file(self) -> tuple[str, BinaryIO] | None:
        """The name and a reader of the field's first file, as soon as it starts; None when the form has none."""
        self.started.wait()
        if not self.files:
            return None
        return self.filename, io.BufferedReader(_SpoolReader(self.spool), buffer_size=1 << 16)

    def finish(self) -> tuple[int, int]:
        """Wait for the whole body: the number of files in the field and the first one's size in bytes; raises
        what the parser raised (an oversized form field, a malformed body)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.files, self.size
