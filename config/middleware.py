import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger("config.requests")


class RequestLogMiddleware:
    """One log line per request: method, path, status and duration in ms.

    Sync and async capable, so the async `/ready` view stays async under ASGI.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._log(request, response, started)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = await self.get_response(request)
        self._log(request, response, started)
        return response

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponse, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed_ms)


class JsonErrorMiddleware:
    """Every 4xx/5xx of the API is JSON, whatever DEBUG is.

    With DEBUG on, Django answers an unknown URL, a disallowed Host or an error outside DRF with its HTML
    technical pages, which name settings, paths and service addresses; this replaces any HTML error page with
    `{"detail", "code"}` (the traceback is still logged). The admin keeps its own pages.
    """

    ADMIN_PREFIX = "/admin/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if request.path.startswith(self.ADMIN_PREFIX):
            return response
        return json_error(response.status_code, headers=response)


ERROR_CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed",
               413: "request_too_large", 500: "server_error"}  # fmt: skip
ERROR_DETAILS = {400: "Bad request.", 404: "Not found.", 500: "Internal server error"}
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def json_error(status: int, *, headers: HttpResponse | None = None) -> JsonResponse:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = {
        "detail": ERROR_DETAILS.get(status, f"{phrase}."),
        "code": ERROR_CODES.get(status, phrase.lower().replace(" ", "_").replace("-", "_")),
    }
    response = JsonResponse(body, status=status)
    for name in KEPT_HEADERS:
        if headers is not None and headers.has_header(name):
            response[name] = headers[name]
    return response
