"""Rebuild the whole distance table from the routes (route changes keep it up to date incrementally)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from waste.services import distances_recompute, network_lock


class Command(BaseCommand):
    help = "Recompute every shortest distance (scipy Dijkstra); only pairs that differ are written."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            network_lock()
            pairs = distances_recompute()
        self.stdout.write(f"{pairs} reachable (organization, storage) pairs")
