"""`manage.py purge_events`: delete published outbox rows and handled event ids past EVENTS_RETENTION_DAYS.

The relay and the sidecar's consumer run the same purges every EVENTS_PURGE_INTERVAL_SECONDS; this command is
for a cron job or a one-off clean-up.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from books.outbox import outbox_purge_published
from grpc_service.consumer import consumed_events_purge


class Command(BaseCommand):
    help = "Delete published outbox rows and handled event ids older than EVENTS_RETENTION_DAYS."

    def handle(self, *args, **options) -> None:
        outbox = outbox_purge_published()
        consumed = consumed_events_purge()
        self.stdout.write(
            f"deleted {outbox} published outbox rows and {consumed} handled event ids older than "
            f"{settings.EVENTS_RETENTION_DAYS} days"
        )
