"""The id of the request being served, readable anywhere in its thread/task (log lines, outbox events).

The web middleware sets it (from a valid client `X-Request-ID` or a new one); the consumer sets it from the
event's message header while it handles that event. Empty outside a request.
"""

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
