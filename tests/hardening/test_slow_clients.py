"""Slow clients never starve the others (security review, item 3).

Ten connections trickle a request (a body, or the headers) one byte every few seconds for the whole test, more
connections than the server has worker threads; meanwhile `/health` must keep answering within a second.
"""

import os
import socket
import threading
import time
import urllib.request

import pytest

SLOW_SECONDS = float(os.environ.get("SLOW_CLIENT_SECONDS", "30"))
SLOW_CONNECTIONS = 10
BYTE_INTERVAL = 2.0


def trickle(port: int, head: bytes, body: bytes, stop: threading.Event) -> None:
    """Send `head` at once and `body` one byte per BYTE_INTERVAL until `stop` (or the server hangs up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(head)
            for byte in body:
                if stop.wait(BYTE_INTERVAL):
                    return
                sock.sendall(bytes([byte]))
        except OSError:  # the server gave up on us: that is allowed
            return


SLOW_BODY = (
    b"POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    b'{"username": "' + b"a" * 984,
)
SLOW_HEADERS = (b"", b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 500)


@pytest.mark.parametrize(("head", "body"), [SLOW_BODY, SLOW_HEADERS], ids=["slow-body", "slow-headers"])
def test_health_answers_within_a_second_while_ten_clients_trickle(gunicorn_server, head, body):
    port = int(gunicorn_server.url.rsplit(":", 1)[1])
    stop = threading.Event()
    senders = [
        threading.Thread(target=trickle, args=(port, head, body, stop), daemon=True) for _ in range(SLOW_CONNECTIONS)
    ]
    for sender in senders:
        sender.start()
    slowest = 0.0
    answered = 0
    deadline = time.monotonic() + SLOW_SECONDS
    try:
        time.sleep(1)  # every slow connection is open and has started its request
        while time.monotonic() < deadline:
            started = time.monotonic()
            with urllib.request.urlopen(f"{gunicorn_server.url}/health", timeout=5) as response:  # noqa: S310
                assert response.status == 200
            slowest = max(slowest, time.monotonic() - started)
            answered += 1
            time.sleep(0.5)
    finally:
        stop.set()
        for sender in senders:
            sender.join(10)
    assert answered >= SLOW_SECONDS  # about two a second
    assert slowest < 1.0, f"/health took {slowest:.2f} s while slow clients were connected"
