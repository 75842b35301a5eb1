"""The web client (web/, built into web/dist by `make web`), served at /app/.

Its files are served by whitenoise: `WebClientMiddleware` adds web/dist under /app/ to the static files, and the
content-hashed bundles under /app/assets/ are cached for good. Every other /app/... path is a page of the client's
own router, so `app_index` answers it with index.html (a deep link or a reload works) - never cached, so a new
build is picked up at once. Without a build, /app/ says how to make one (JSON 503).
"""

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from whitenoise.middleware import WhiteNoiseMiddleware

from config.middleware import json_error

URL_PREFIX = "/app/"
ASSETS_PREFIX = URL_PREFIX + "assets/"
NOT_BUILT = (
    "The web client is not built: run `make web` (or `cd web && npm ci && npm run build`), then reload this page."
)
# The built page loads only its own files; the API is the same origin. Vue's runtime build needs no eval.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def client_root() -> Path:
    return Path(settings.WEB_CLIENT_DIST)


class WebClientMiddleware(WhiteNoiseMiddleware):
    """whitenoise as configured in settings (/static/), plus the built web client under /app/."""

    def __init__(self, get_response=None, settings=settings) -> None:
        super().__init__(get_response, settings)
        # With autorefresh (DEBUG) files are looked up per request, so a build made after start-up is served too.
        if self.autorefresh or client_root().is_dir():
            self.add_files(str(client_root()), prefix=URL_PREFIX)

    def immutable_file_test(self, path: str, url: str) -> bool:
        # Vite names every file in assets/ after a hash of its content.
        return url.startswith(ASSETS_PREFIX) or super().immutable_file_test(path, url)


@require_safe
def app_index(request: HttpRequest, path: str = "") -> HttpResponse:
    """index.html of the client for /app/ and every page below it; files were already served by the middleware."""
    if request.path.startswith(ASSETS_PREFIX):
        return json_error(404)  # a bundle of another build: a 404, not a page the browser would run as script
    index = client_root() / "index.html"
    if not index.is_file():
        return JsonResponse({"detail": NOT_BUILT, "code": "web_client_not_built"}, status=503)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
