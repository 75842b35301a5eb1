"""Writes of the waste app: plain functions that own their transaction."""

from waste.services.disposal import DisposalResult, dispatch_pending, organization_dispose, organization_generate
from waste.services.members import membership_add, membership_remove
from waste.services.network import distances_recompute, network_lock
from waste.services.network_import import ImportCounts, network_import
from waste.services.routes import route_create, route_delete, route_update
from waste.services.sites import (
    organization_create,
    organization_delete,
    organization_update,
    sites_delete_with_history,
    storage_create,
    storage_delete,
    storage_empty,
    storage_update,
)

__all__ = [
    "DisposalResult",
    "ImportCounts",
    "dispatch_pending",
    "distances_recompute",
    "membership_add",
    "membership_remove",
    "network_import",
    "network_lock",
    "organization_create",
    "organization_delete",
    "organization_dispose",
    "organization_generate",
    "organization_update",
    "route_create",
    "route_delete",
    "route_update",
    "sites_delete_with_history",
    "storage_create",
    "storage_delete",
    "storage_empty",
    "storage_update",
]
