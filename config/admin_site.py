"""The admin site with a login throttle: failed logins are limited per client address and per username.

Django's admin login has no limit of its own, so a password can be guessed there at full speed. After
ADMIN_LOGIN_MAX_FAILURES failures within ADMIN_LOGIN_WINDOW_SECONDS, from one address or for one username, the
login answers 429 without checking the password until the window has passed.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework.throttling import BaseThrottle


def _failure_keys(request: HttpRequest) -> list[str]:
    address = BaseThrottle().get_ident(request)  # the peer, or X-Forwarded-For behind NUM_PROXIES proxies
    username = request.POST.get("username", "").strip().casefold()[:150]
    return [f"admin-login:address:{address}", f"admin-login:username:{username}"]


class ThrottledAdminSite(AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        keys = _failure_keys(request)
        failures = cache.get_many(keys)
        if any(count >= settings.ADMIN_LOGIN_MAX_FAILURES for count in failures.values()):
            response = HttpResponse(
                "Too many failed logins; try again later.", status=429, content_type="text/plain; charset=utf-8"
            )
            response["Retry-After"] = str(settings.ADMIN_LOGIN_WINDOW_SECONDS)
            return response
        response = super().login(request, extra_context)
        if not request.user.is_authenticated:  # the form was refused: count it
            for key in keys:
                cache.add(key, 0, timeout=settings.ADMIN_LOGIN_WINDOW_SECONDS)
                cache.incr(key)
        return response


class ThrottledAdminConfig(AdminConfig):
    default_site = "config.admin_site.ThrottledAdminSite"
