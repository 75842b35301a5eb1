"""Import a network document (the shape of `POST /waste/network/import`) through the same service."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.exceptions import DomainError
from waste.services import network_import


class Command(BaseCommand):
    help = "Add the organizations, storages and routes of a JSON network file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON network document; - reads standard input")

    def handle(self, *args, **options) -> None:
        path = options["file"]
        try:
            text = self.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
            document = json.loads(text)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            counts = network_import(data=document)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"imported {counts.organizations} organizations, {counts.storages} storages, {counts.routes} routes; "
            f"{counts.distances} reachable pairs"
        )
