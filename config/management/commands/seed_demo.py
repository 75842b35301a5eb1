"""Fill every app with demo data; idempotent (a second run changes nothing).

Each domain app contributes a `demo.py` module with `seed(stdout) -> None`; this command runs them in
INSTALLED_APPS order, so a new app joins the demo by adding that module.
"""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create demo data for every app (idempotent)."

    def handle(self, *args, **options) -> None:
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            importlib.import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
