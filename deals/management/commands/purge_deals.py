"""`manage.py purge_deals`: delete the deals of superseded datasets, e.g. what a worker that died mid-purge left.

Run at start-up (`make run`, compose's migrate service); every upload also purges whatever is left over.
"""

from django.core.management.base import BaseCommand

from deals.services import datasets_purge_superseded


class Command(BaseCommand):
    help = "Delete the deals of every superseded dataset (the work of a purge that did not finish)."

    def handle(self, *args, **options) -> None:
        deleted = datasets_purge_superseded()
        self.stdout.write(f"purged {deleted} deals of superseded datasets")
