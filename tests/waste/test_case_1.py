"""Case 1 of brief 004, disposed in full, against a hand-worked expectation.

Shortest directed paths (routes: ОО1→МНО1 100, ОО1→МНО2 50, ОО1→МНО3 600, ОО2→МНО3 50, МНО1→МНО8 500,
МНО8↔МНО9 10, МНО2↔МНО5 50, МНО3↔МНО7 50, МНО3→МНО6 600, МНО1↔МНО2 100):

ОО1: МНО2 50 (direct) · МНО1 100 (direct; via МНО2 would be 150) · МНО5 100 (ОО1→МНО2→МНО5) ·
     МНО3 600 (direct) · МНО8 600 (ОО1→МНО1→МНО8) · МНО9 610 (…→МНО8→МНО9) · МНО7 650 (ОО1→МНО3→МНО7) ·
     МНО6 1200 (ОО1→МНО3→МНО6). Ties: МНО1 before МНО5 and МНО3 before МНО8 (by name).
ОО2: МНО3 50 · МНО7 100 (ОО2→МНО3→МНО7) · МНО6 650 (ОО2→МНО3→МНО6); nothing else is reachable
     (МНО6 has no way out, МНО3↔МНО7 leads nowhere further).

Disposal, organizations in id order, types in the order bio, glass, plastic:
ОО1 bio 50:     nearest with bio is МНО2 (150 free) → 50 into МНО2 at 50 m.
ОО1 glass 50:   МНО2 has no glass; МНО1 (300) → 50 at 100 m.
ОО1 plastic 10: МНО2 (50) → 10 at 50 m.
ОО2 bio 50:     МНО3 (250) → 50 at 50 m.
ОО2 glass 20:   МНО3 and МНО7 have no glass; МНО6 (100) → 20 at 650 m (reachable only through МНО3:
                with direct routes only, this glass would have nowhere to go).
ОО2 plastic 60: МНО3 holds only 10 → 10 at 50 m; spill-over to МНО7 (100) → 50 at 100 m.
Everything is disposed: 240 units in 7 transfers.
"""

import pytest
from django.core.management import CommandError, call_command

from waste.cases import case_1_build
from waste.models import Distance, OrganizationWaste, StorageRoom, Transfer
from waste.services import organization_dispose

pytestmark = pytest.mark.django_db

EXPECTED_TRANSFERS = [
    ("ОО1", "МНО2", "bio", 50, 50),
    ("ОО1", "МНО1", "glass", 50, 100),
    ("ОО1", "МНО2", "plastic", 10, 50),
    ("ОО2", "МНО3", "bio", 50, 50),
    ("ОО2", "МНО6", "glass", 20, 650),
    ("ОО2", "МНО3", "plastic", 10, 50),
    ("ОО2", "МНО7", "plastic", 50, 100),
]
EXPECTED_DISTANCES = {
    ("ОО1", "МНО2"): (50, ["МНО2"]),
    ("ОО1", "МНО1"): (100, ["МНО1"]),
    ("ОО1", "МНО5"): (100, ["МНО2", "МНО5"]),
    ("ОО1", "МНО3"): (600, ["МНО3"]),
    ("ОО1", "МНО8"): (600, ["МНО1", "МНО8"]),
    ("ОО1", "МНО9"): (610, ["МНО1", "МНО8", "МНО9"]),
    ("ОО1", "МНО7"): (650, ["МНО3", "МНО7"]),
    ("ОО1", "МНО6"): (1200, ["МНО3", "МНО6"]),
    ("ОО2", "МНО3"): (50, ["МНО3"]),
    ("ОО2", "МНО7"): (100, ["МНО3", "МНО7"]),
    ("ОО2", "МНО6"): (650, ["МНО3", "МНО6"]),
}


def test_case_1_distances_are_the_shortest_directed_paths():
    _organizations, storages = case_1_build()
    names = {storage.pk: storage.name for storage in storages}
    found = {
        (d.organization.name, d.storage.name): (d.distance_m, [names[i] for i in d.path])
        for d in Distance.objects.select_related("organization", "storage")
    }
    assert found == EXPECTED_DISTANCES


def test_case_1_disposes_everything_as_worked_out_by_hand():
    organizations, _storages = case_1_build()
    assert sum(OrganizationWaste.objects.values_list("stock", flat=True)) == 240  # full: stock = limit

    transfers = [t for org in organizations for t in organization_dispose(organization=org).transfers]

    assert [(t.organization_name, t.storage_name, t.waste_type, t.amount, t.distance_m) for t in transfers] == (
        EXPECTED_TRANSFERS
    )
    assert set(OrganizationWaste.objects.values_list("stock", flat=True)) == {0}
    stored = {
        (room.storage.name, room.waste_type): room.stored
        for room in StorageRoom.objects.select_related("storage")
        if room.stored
    }
    assert stored == {
        ("МНО1", "glass"): 50,
        ("МНО2", "bio"): 50,
        ("МНО2", "plastic"): 10,
        ("МНО3", "bio"): 50,
        ("МНО3", "plastic"): 10,
        ("МНО6", "glass"): 20,
        ("МНО7", "plastic"): 50,
    }


def test_seed_waste_case_1_is_idempotent_and_prints_the_transfers(capsys):
    call_command("seed_waste", "--case-1", "--dispose")
    call_command("seed_waste", "--case-1", "--dispose")
    output = capsys.readouterr().out
    assert Transfer.objects.count() == 7  # the second run reset the case, history included
    assert output.count("7 transfers, 240 units disposed") == 2
    assert "ОО2           glass    МНО6     20      650" in output


def test_seed_waste_without_dispose_leaves_organizations_full():
    call_command("seed_waste", "--case-1")
    assert sum(OrganizationWaste.objects.values_list("stock", flat=True)) == 240
    assert set(StorageRoom.objects.values_list("stored", flat=True)) == {0}


def test_seed_waste_needs_a_case():
    with pytest.raises(CommandError, match="--case-1"):
        call_command("seed_waste")


def test_demo_seed_fills_storages_partly_and_only_once():
    from io import StringIO

    from waste import demo

    demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())
    assert Transfer.objects.count() == 7
    rooms = list(StorageRoom.objects.all())
    assert any(0 < room.stored < room.capacity for room in rooms)
