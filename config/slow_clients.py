"""Time limits for clients that send a request slowly (security review, item 3).

The asynchronous front (gunicorn's ASGI worker) already keeps a slow client from holding a thread: a connection
costs a coroutine until its whole request has arrived. These limits stop such connections from living forever:
- the request line and headers must arrive within WEB_HEADER_TIMEOUT seconds of the connection opening or of
  the previous answer (the connection is closed otherwise): `HeaderTimeoutProtocol`;
- the body must arrive within REQUEST_READ_TIMEOUT seconds of the headers (408 otherwise): `with_read_deadline`.
"""

import asyncio
import json

from gunicorn.asgi.protocol import ASGIProtocol


class HeaderTimeoutProtocol(ASGIProtocol):
    """gunicorn's HTTP/1 protocol with a deadline on the request line and headers of every request."""

    header_timeout = 10.0
    _header_handle: asyncio.TimerHandle | None = None

    def connection_made(self, transport):
        super().connection_made(transport)
        self._arm_header_timer()

    def _arm_keepalive_timer(self):  # after each answer: the next request gets the same deadline
        super()._arm_keepalive_timer()
        self._arm_header_timer()

    def _on_headers_complete(self):
        self._cancel_header_timer()
        return super()._on_headers_complete()

    def connection_lost(self, exc):
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        if self.header_timeout > 0:
            self._header_handle = self.worker.loop.call_later(self.header_timeout, self._keepalive_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_handle is not None:
            self._header_handle.cancel()
            self._header_handle = None


def with_read_deadline(application, *, timeout: float):
    """Wrap an ASGI `application`: a body that has not fully arrived `timeout` seconds after the headers gets a
    JSON 408 and the connection closes; the application sees the client as gone (Django drops the request)."""

    async def app(scope, receive, send):
        if scope["type"] != "http" or timeout <= 0:
            return await application(scope, receive, send)
        deadline = asyncio.get_running_loop().time() + timeout
        body_complete = False

        async def receive_before_deadline():
            nonlocal body_complete
            if body_complete:  # later receives wait for the disconnect while the answer streams: no limit
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), deadline - asyncio.get_running_loop().time())
            except TimeoutError:
                await send_request_timeout(send, timeout)
                return {"type": "http.disconnect"}
            body_complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return await application(scope, receive_before_deadline, send)

    return app


async def send_request_timeout(send, timeout: float) -> None:
    body = json.dumps(
        {"detail": f"The request body did not arrive within {timeout:g} seconds.", "code": "request_timeout"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
