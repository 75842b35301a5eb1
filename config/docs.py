"""Swagger UI under a Content-Security-Policy: every script and style comes from this server.

drf-spectacular's split view serves the page's start-up script as a separate file (`/docs?script`), so no inline
script is needed; the assets come from drf-spectacular-sidecar. Swagger UI sets inline styles on elements, hence
`'unsafe-inline'` for styles only.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView

DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class SwaggerUiView(SpectacularSwaggerSplitView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response
