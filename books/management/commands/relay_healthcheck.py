"""`manage.py relay_healthcheck`: the relay container's health check.

Healthy (exit 0) while no outbox row has waited longer than RELAY_HEALTH_MAX_LAG_SECONDS to be published: a relay
that cannot publish (broker gone, relay stuck) leaves rows behind and turns unhealthy, whatever its process state.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from books.models import OutboxEvent


class Command(BaseCommand):
    help = "Exit 1 when an outbox row waits longer than RELAY_HEALTH_MAX_LAG_SECONDS to be published."

    def handle(self, *args, **options) -> None:
        max_lag = settings.RELAY_HEALTH_MAX_LAG_SECONDS
        oldest = (
            OutboxEvent.objects.filter(published_at__isnull=True).order_by("id").values_list("occurred_at", flat=True)
        ).first()
        if oldest is not None and timezone.now() - oldest > timedelta(seconds=max_lag):
            raise CommandError(f"an event has waited {timezone.now() - oldest} to be published (limit {max_lag} s)")
        self.stdout.write("ok")
