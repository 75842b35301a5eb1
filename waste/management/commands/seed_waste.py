"""Build the test networks of the waste app (`--case-1`), optionally disposing everything."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waste.cases import case_1_build
from waste.models import Transfer
from waste.services import organization_dispose


def transfers_table(transfers: list[Transfer]) -> str:
    """A plain-text table of transfers, one per line."""
    header = ("organization", "type", "storage", "amount", "distance_m")
    rows = [(t.organization_name, t.waste_type, t.storage_name, str(t.amount), str(t.distance_m)) for t in transfers]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Build the waste test networks; --case-1 resets the network of brief 004's picture."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--case-1",
            action="store_true",
            dest="case_1",
            help="(re)build case 1 from waste/networks/case_1.json through the import service",
        )
        parser.add_argument("--dispose", action="store_true", help="then dispose all stock and print the transfers")

    def handle(self, *args, **options) -> None:
        if not options["case_1"]:
            raise CommandError("choose a case: --case-1")
        organizations, storages = case_1_build()
        self.stdout.write(f"case 1: {len(organizations)} organizations, {len(storages)} storages (organizations full)")
        if options["dispose"]:
            transfers = [t for org in organizations for t in organization_dispose(organization=org).transfers]
            self.stdout.write(transfers_table(transfers))
            self.stdout.write(f"{len(transfers)} transfers, {sum(t.amount for t in transfers)} units disposed")
