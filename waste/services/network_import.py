"""Import a whole network from one document: all or nothing, sites referenced by name, tables written with COPY.

The document: `{"organizations": [{"name", "waste": {type: {"limit", "stock"?}}}], "storages": [{"name",
"capacity": {type: n}}], "routes": [{"from": name, "to": name, "distance_m", "two_way"?}]}`; `id` keys (as
the export writes them) are ignored. Routes may also name sites already in the database. Nothing is disposed.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection, transaction

from config.api import truncated
from waste.exceptions import NetworkImportConflictError, NetworkImportInvalidError
from waste.models import WASTE_TYPES, Distance, Organization, OrganizationWaste, Route, Storage, StorageRoom
from waste.services.network import distances_recompute, network_lock, organizations_reaching

logger = logging.getLogger(__name__)

AMOUNT_MAX = 2_000_000_000
NAME_MAX = 200
NAMES_SHOWN = 10


@dataclass(frozen=True)
class ImportCounts:
    organizations: int
    storages: int
    routes: int
    distances: int


def _invalid(section: str, index: int | None, message: str, **context: object) -> NetworkImportInvalidError:
    where = section if index is None else f"{section}[{index}]"
    return NetworkImportInvalidError(f"{where}: {message}", field=section, index=index, **context)


def _object(value: object, section: str, index: int | None, keys: set[str], required: set[str]) -> Mapping:
    if not isinstance(value, Mapping):
        raise _invalid(section, index, "expected a JSON object")
    unknown = sorted(str(key) for key in value if key not in keys and key != "id")
    if unknown:
        raise _invalid(section, index, f"unknown key {truncated(unknown[0])!r}")
    missing = sorted(required - set(value))
    if missing:
        raise _invalid(section, index, f"{missing[0]!r} is required")
    return value


def _integer(value: object, section: str, index: int, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= AMOUNT_MAX:
        raise _invalid(section, index, f"{what} must be a JSON integer from {minimum} to {AMOUNT_MAX}")
    return value


def _name(value: object, section: str, index: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > NAME_MAX:
        raise _invalid(section, index, f"name must be a non-empty string of at most {NAME_MAX} characters")
    return value


def _per_type(value: object, section: str, index: int, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise _invalid(section, index, f"{what} must be an object of waste types")
    for waste_type in value:
        if waste_type not in WASTE_TYPES:
            expected = ", ".join(WASTE_TYPES)
            raise _invalid(section, index, f"unknown waste type {truncated(waste_type)!r} (expected {expected})")
    return value


def _list(data: Mapping, section: str) -> list:
    items = data.get(section, [])
    if not isinstance(items, list):
        raise _invalid(section, None, "expected a JSON array")
    return items


def _unique_names(items: list, section: str) -> list[str]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        name = item["name"]
        if name in seen:
            raise _invalid(section, index, f"{truncated(name)!r} is also at index {seen[name]}", name=truncated(name))
        seen[name] = index
    return list(seen)


def _parse_sites(data: Mapping) -> tuple[list, list]:
    organizations, storages = [], []
    for index, item in enumerate(_list(data, "organizations")):
        item = _object(item, "organizations", index, {"name", "waste"}, {"name", "waste"})
        wastes = {}
        for waste_type, amounts in _per_type(item["waste"], "organizations", index, "waste").items():
            amounts = _object(amounts, "organizations", index, {"limit", "stock"}, {"limit"})
            limit = _integer(amounts["limit"], "organizations", index, f"{waste_type}.limit")
            stock = _integer(amounts.get("stock", 0), "organizations", index, f"{waste_type}.stock")
            if stock > limit:
                raise _invalid("organizations", index, f"{waste_type}.stock {stock} exceeds the limit {limit}")
            wastes[waste_type] = (stock, limit)
        organizations.append({"name": _name(item["name"], "organizations", index), "waste": wastes})
    for index, item in enumerate(_list(data, "storages")):
        item = _object(item, "storages", index, {"name", "capacity"}, {"name", "capacity"})
        capacity = {
            waste_type: _integer(amount, "storages", index, f"capacity.{waste_type}")
            for waste_type, amount in _per_type(item["capacity"], "storages", index, "capacity").items()
        }
        storages.append({"name": _name(item["name"], "storages", index), "capacity": capacity})
    return organizations, storages


def _check_names_free(organization_names: list[str], storage_names: list[str]) -> None:
    taken = sorted(Organization.objects.filter(name__in=organization_names).values_list("name", flat=True))
    taken += sorted(Storage.objects.filter(name__in=storage_names).values_list("name", flat=True))
    if taken:
        shown = ", ".join(repr(truncated(name)) for name in taken[:NAMES_SHOWN])
        more = f" and {len(taken) - NAMES_SHOWN} more" if len(taken) > NAMES_SHOWN else ""
        raise NetworkImportConflictError(
            f"Already in the network: {shown}{more}.", names=[truncated(name) for name in taken[:NAMES_SHOWN]]
        )


class _Sites:
    """Route ends by name: the file's new sites (as keys "o:name"/"s:name") or existing ones (ids)."""

    def __init__(self, organization_names: list[str], storage_names: list[str], routes: list) -> None:
        self.new_organizations, self.new_storages = set(organization_names), set(storage_names)
        named = {item.get("from") for item in routes if isinstance(item, Mapping)}
        named |= {item.get("to") for item in routes if isinstance(item, Mapping)}
        named = [name for name in named if isinstance(name, str)]
        self.old_organizations = dict(Organization.objects.filter(name__in=named).values_list("name", "id"))
        self.old_storages = dict(Storage.objects.filter(name__in=named).values_list("name", "id"))

    def organization(self, name: str) -> tuple[str, object] | None:
        if name in self.new_organizations:
            return ("new", name)
        return ("old", self.old_organizations[name]) if name in self.old_organizations else None

    def storage(self, name: str) -> tuple[str, object] | None:
        if name in self.new_storages:
            return ("new", name)
        return ("old", self.old_storages[name]) if name in self.old_storages else None


def _parse_routes(data: Mapping, sites: _Sites) -> list[tuple]:
    routes, seen = [], {}
    for index, item in enumerate(_list(data, "routes")):
        item = _object(item, "routes", index, {"from", "to", "distance_m", "two_way"}, {"from", "to", "distance_m"})
        source_name, target_name = item["from"], item["to"]
        for what, name in (("from", source_name), ("to", target_name)):
            if not isinstance(name, str):
                raise _invalid("routes", index, f"{what} must be a site name")
        organization, storage = sites.organization(source_name), sites.storage(source_name)
        if organization and storage:
            raise _invalid(
                "routes", index, f"from {truncated(source_name)!r} is ambiguous", name=truncated(source_name)
            )
        if not (organization or storage):
            raise _invalid("routes", index, f"from {truncated(source_name)!r} is unknown", name=truncated(source_name))
        target = sites.storage(target_name)
        if target is None:
            raise _invalid(
                "routes", index, f"to {truncated(target_name)!r} is not a known storage", name=truncated(target_name)
            )
        two_way = item.get("two_way", False)
        if not isinstance(two_way, bool):
            raise _invalid("routes", index, "two_way must be true or false")
        if two_way and organization:
            raise _invalid("routes", index, "two-way routes connect two storages", name=truncated(source_name))
        if storage == target:
            raise _invalid("routes", index, f"a route cannot lead from {truncated(source_name)!r} to itself")
        distance = _integer(item["distance_m"], "routes", index, "distance_m", minimum=1)
        source = ("o", organization) if organization else ("s", storage)
        directions = [(source, ("s", target)), *([(("s", target), source)] if two_way else [])]
        for key in directions:
            if key in seen:
                raise _invalid("routes", index, f"duplicates the route at index {seen[key]}")
        seen.update(dict.fromkeys(directions, index))
        routes.append((source, target, distance, two_way, index))
    _check_existing_routes(routes)
    return routes


def _check_existing_routes(routes: list[tuple]) -> None:
    """Routes whose both ends already exist may duplicate a route of the database."""
    for (kind, (age, source_id)), (target_age, target_id), _distance, two_way, index in routes:
        if age != "old" or target_age != "old":
            continue
        source_field = "from_organization_id" if kind == "o" else "from_storage_id"
        duplicate = Route.objects.filter(to_storage_id=target_id, **{source_field: source_id}).exists()
        if kind == "s" and not duplicate:
            reverse = Route.objects.filter(from_storage_id=target_id, to_storage_id=source_id)
            duplicate = reverse.exists() if two_way else reverse.filter(two_way=True).exists()
        if duplicate:
            raise _invalid("routes", index, "this route already exists in the network")


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quoted = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# The tables an import fills; their planner statistics are refreshed in the same transaction.
IMPORTED = (Organization, OrganizationWaste, Storage, StorageRoom, Route, Distance)


def _analyze() -> None:
    """Planner statistics of the tables just filled: without them (autovacuum may be slow, or off) PostgreSQL
    plans a disposal's nearest-rooms lookup as a scan of every room (40x slower on 1,000 x 1,000)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in IMPORTED))


@transaction.atomic
def network_import(*, data: object) -> ImportCounts:
    """Add the document's sites and routes to the network in one transaction (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise NetworkImportInvalidError("The body must be a JSON object.", field="non_field_errors")
    unknown = sorted(str(key) for key in data if key not in ("organizations", "storages", "routes"))
    if unknown:
        raise NetworkImportInvalidError(f"Unknown key {truncated(unknown[0])!r}.", field=truncated(unknown[0]))
    organizations, storages = _parse_sites(data)
    organization_names = _unique_names(organizations, "organizations")
    storage_names = _unique_names(storages, "storages")
    network_lock()
    _check_names_free(organization_names, storage_names)
    routes = _parse_routes(data, _Sites(organization_names, storage_names, _list(data, "routes")))

    new_organizations = Organization.objects.bulk_create(Organization(name=name) for name in organization_names)
    new_storages = Storage.objects.bulk_create(Storage(name=name) for name in storage_names)
    organization_ids = {organization.name: organization.pk for organization in new_organizations}
    storage_ids = {storage.name: storage.pk for storage in new_storages}
    _copy(
        OrganizationWaste._meta.db_table,
        ["organization_id", "waste_type", "stock", "limit"],
        [
            (organization_ids[item["name"]], waste_type, stock, limit)
            for item in organizations
            for waste_type, (stock, limit) in item["waste"].items()
        ],
    )
    _copy(
        StorageRoom._meta.db_table,
        ["storage_id", "waste_type", "capacity", "stored"],
        [
            (storage_ids[item["name"]], waste_type, amount, 0)
            for item in storages
            for waste_type, amount in item["capacity"].items()
        ],
    )

    def site_id(site: tuple[str, object], ids: dict[str, int]) -> int:
        age, value = site
        return ids[value] if age == "new" else value

    route_rows, old_tails, old_sources = [], set(), set()
    for (kind, site), target, distance, two_way, _index in routes:
        source_id = site_id(site, organization_ids if kind == "o" else storage_ids)
        target_id = site_id(target, storage_ids)
        if kind == "o":
            route_rows.append((source_id, None, target_id, distance, two_way))
            if site[0] == "old":
                old_sources.add(source_id)
        else:
            route_rows.append((None, source_id, target_id, distance, two_way))
            old_tails |= {end_id for end, end_id in ((site, source_id), (target, target_id)) if end[0] == "old"}
    _copy(
        Route._meta.db_table,
        ["from_organization_id", "from_storage_id", "to_storage_id", "distance_m", "two_way"],
        route_rows,
    )

    reachable = distances_recompute(organization_ids=list(organization_ids.values()), fresh=True)
    affected = old_sources | (organizations_reaching(storage_ids=old_tails) if old_tails else set())
    if affected:
        reachable += distances_recompute(organization_ids=affected)
    _analyze()
    counts = ImportCounts(len(new_organizations), len(new_storages), len(route_rows), reachable)
    logger.info("network imported %s", counts)
    return counts
