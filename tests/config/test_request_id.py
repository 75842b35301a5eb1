"""X-Request-ID: accepted when valid, generated otherwise, returned on every answer, in every log line of it."""

import io
import json
import logging
import re

import pytest

from config.request_id import JsonLogFormatter, RequestIdLogFilter

pytestmark = pytest.mark.django_db
GENERATED = re.compile(r"[0-9a-f]{32}\Z")


@pytest.mark.parametrize("path", ["/health", "/no/such/page", "/books"])
def test_a_valid_client_id_is_echoed_on_every_answer(client, path):
    assert client.get(path, HTTP_X_REQUEST_ID="abc-123.def_4:5")["X-Request-ID"] == "abc-123.def_4:5"


@pytest.mark.parametrize(
    "sent",
    [None, "", "has space", "line\nbreak", "x" * 129, "ünïcode", "a;b"],
    ids=["absent", "empty", "space", "newline", "too long", "non-ascii", "semicolon"],
)
def test_an_absent_or_invalid_id_is_replaced_by_a_new_one(client, sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    first, second = client.get("/health", **headers), client.get("/health", **headers)
    assert GENERATED.match(first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.fixture
def request_log() -> io.StringIO:
    """The request logger writing through the production filter and plain format."""
    from config.settings import base

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdLogFilter())
    handler.setFormatter(logging.Formatter(base.LOGGING["formatters"]["plain"]["format"]))
    logger = logging.getLogger("config.requests")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_the_request_log_line_carries_the_id(client, request_log):
    client.get("/health", HTTP_X_REQUEST_ID="follow-me-42")
    (line,) = request_log.getvalue().splitlines()
    assert "GET /health 200 " in line
    assert line.endswith(" request_id=follow-me-42")


def test_json_log_lines_carry_the_id():
    record = logging.LogRecord("config.requests", logging.INFO, __file__, 1, "GET %s", ("/health",), None)
    record.request_id = "follow-me-42"
    line = json.loads(JsonLogFormatter().format(record))
    assert line["message"] == "GET /health"
    assert line["request_id"] == "follow-me-42"
    assert line["level"] == "INFO"
