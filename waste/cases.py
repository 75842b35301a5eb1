"""Case 1 of the waste brief (its picture), shipped as a network document, and a builder that resets it.

`waste/networks/case_1.json` is an ordinary import file: organizations start full (stock = limit), storages
empty, and nothing is disposed while building. The unlabelled "100 м" under МНО1 in the picture is read as
МНО1 ↔ МНО2 (two-way).
"""

import json
from pathlib import Path

from django.db import transaction

from waste.models import Organization, Storage
from waste.services import network_import, sites_delete_with_history

CASE_1_FILE = Path(__file__).resolve().parent / "networks" / "case_1.json"


def case_1_document() -> dict:
    return json.loads(CASE_1_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def case_1_build() -> tuple[list[Organization], list[Storage]]:
    """(Re)build case 1: its sites are deleted with their transfers, then imported afresh from the file."""
    document = case_1_document()
    organization_names = [item["name"] for item in document["organizations"]]
    storage_names = [item["name"] for item in document["storages"]]
    sites_delete_with_history(organization_names=organization_names, storage_names=storage_names)
    network_import(data=document)
    return (
        list(Organization.objects.filter(name__in=organization_names).order_by("id")),
        list(Storage.objects.filter(name__in=storage_names).order_by("id")),
    )
