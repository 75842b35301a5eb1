"""Export the whole network as the JSON document `import_waste_network` reads."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from waste.selectors import network_export


class Command(BaseCommand):
    help = "Write the waste network (organizations, storages, routes, with ids) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        text = json.dumps(network_export(), ensure_ascii=False, indent=1)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
