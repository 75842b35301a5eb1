"""The id of the request being served, readable anywhere in its thread/task (log lines, outbox events).

The web middleware sets it (from a valid client `X-Request-ID` or a new one) and returns it on every response;
the outbox row of a write carries it, the relay publishes it as the message header `x-request-id`, and the
consumer logs it with the event, so one write can be followed from the request to the sidecar's log line.
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
MESSAGE_HEADER = "x-request-id"
# Client ids are accepted when short and plain (no spaces or control characters that could forge log lines).
VALID_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}\Z")

request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()


def valid_request_id(value: object) -> str:
    """`value` when it is an acceptable request id, else ""."""
    return value if isinstance(value, str) and VALID_ID.match(value) else ""


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = valid_request_id(request.headers.get(HEADER)) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Gives every record `request_id` and `request_id_suffix` (" request_id=..." inside a request, else "")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        record.request_id_suffix = f" request_id={record.request_id}" if record.request_id else ""
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line (`LOG_FORMAT=json`), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            line["request_id"] = record.request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
