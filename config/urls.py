from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView

from config import health
from config.docs import SwaggerUiView
from config.metrics import metrics_view
from config.webapp import URL_PREFIX, app_index

urlpatterns = [
    path("", RedirectView.as_view(url=URL_PREFIX), name="home"),
    path("app", RedirectView.as_view(url=URL_PREFIX)),
    re_path(r"^app/(?P<path>.*)$", app_index, name="web-client"),  # the client's pages (its files: whitenoise)
    path("health", health.HealthApi.as_view(), name="health"),
    path("ready", health.ready, name="ready"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("users.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SwaggerUiView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    path("", include("books.urls")),
    path("", include("pets.urls")),
    path("", include("deals.urls")),
    path("", include("waste.urls")),
]

if settings.SERVE_MEDIA:
    # Media in `make run`; docker compose serves /media from nginx instead (SERVE_MEDIA=0 there).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler400 = "config.exceptions.json_bad_request"
handler403 = "config.exceptions.json_forbidden"
handler404 = "config.exceptions.json_not_found"
handler500 = "config.exceptions.json_server_error"
