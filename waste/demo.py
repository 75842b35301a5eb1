"""Demo data: case 1 of the brief, disposed (storages partly filled, only into an empty waste app); a staff
user `operator` and the `demo` user as a member of the case-1 organizations (books.demo creates `demo`)."""

from django.contrib.auth import get_user_model

from books.demo import DEMO_PASSWORD
from waste.cases import case_1_build, case_1_document
from waste.models import Organization, Storage
from waste.selectors import organization_has_member
from waste.services import membership_add, organization_dispose

OPERATOR = "operator"


def _users(stdout) -> None:
    users = get_user_model().objects
    operator, created = users.get_or_create(username=OPERATOR, defaults={"is_staff": True})
    if created:
        operator.set_password(DEMO_PASSWORD)
        operator.save(update_fields=["password"])
    demo = users.filter(username="demo").first()
    names = [item["name"] for item in case_1_document()["organizations"]]
    if demo is not None:
        for organization in Organization.objects.filter(name__in=names):
            if not organization_has_member(organization_id=organization.pk, user=demo):
                membership_add(organization=organization, username=demo.get_username())
    stdout.write(f"waste: staff user {OPERATOR} / {DEMO_PASSWORD}; demo is a member of {', '.join(names)}")


def seed(*, stdout) -> None:
    if Organization.objects.exists() or Storage.objects.exists():
        stdout.write("waste: data present, left as is")
    else:
        organizations, _storages = case_1_build()
        moved = sum(len(organization_dispose(organization=org).transfers) for org in organizations)
        stdout.write(f"waste: case 1 built and disposed ({moved} transfers)")
    _users(stdout)
