"""A slow client is cut off: headers within WEB_HEADER_TIMEOUT, the body within REQUEST_READ_TIMEOUT (408)."""

import json
import socket
import time

import pytest

HEADER_TIMEOUT = 2
READ_TIMEOUT = 3


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    return {"WEB_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "REQUEST_READ_TIMEOUT": str(READ_TIMEOUT)}


def connect(gunicorn_server) -> socket.socket:
    port = int(gunicorn_server.url.rsplit(":", 1)[1])
    return socket.create_connection(("127.0.0.1", port), timeout=HEADER_TIMEOUT + READ_TIMEOUT + 10)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_headers_that_do_not_finish_in_time_close_the_connection(gunicorn_server):
    with connect(gunicorn_server) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never the blank line
        assert read_all(sock) == b""
        assert HEADER_TIMEOUT - 0.5 < time.monotonic() - started < HEADER_TIMEOUT + 3


def test_the_next_request_on_a_kept_alive_connection_has_the_same_header_deadline(gunicorn_server):
    with connect(gunicorn_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        assert read_all(sock) == b""
        assert time.monotonic() - started < HEADER_TIMEOUT + 3


def test_a_body_that_does_not_arrive_in_time_gets_408(gunicorn_server):
    with connect(gunicorn_server) as sock:
        sock.sendall(
            b"POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"username"'
        )
        started = time.monotonic()
        answer = read_all(sock)
        elapsed = time.monotonic() - started
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert json.loads(body) == {"detail": f"The request body did not arrive within {READ_TIMEOUT} seconds.",
                                "code": "request_timeout"}  # fmt: skip
    assert READ_TIMEOUT - 0.5 < elapsed < READ_TIMEOUT + 3


def test_a_whole_request_is_answered_normally(gunicorn_server):
    with connect(gunicorn_server) as sock:
        sock.sendall(
            b"POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Connection: close\r\nContent-Length: 2\r\n\r\n{}"
        )
        assert read_all(sock).startswith(b"HTTP/1.1 400")
