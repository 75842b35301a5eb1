"""Demo data: case 1 of brief 004, disposed, so storages are partly filled (only into an empty waste app)."""

from waste.cases import case_1_build
from waste.models import Organization, Storage
from waste.services import organization_dispose


def seed(*, stdout) -> None:
    if Organization.objects.exists() or Storage.objects.exists():
        stdout.write("waste: data present, left as is")
        return
    organizations, _storages = case_1_build()
    moved = sum(len(organization_dispose(organization=org).transfers) for org in organizations)
    stdout.write(f"waste: case 1 built and disposed ({moved} transfers)")
