import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from config.slow_clients import with_read_deadline

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = with_read_deadline(get_asgi_application(), timeout=settings.REQUEST_READ_TIMEOUT)
