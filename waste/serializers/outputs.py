"""What the waste API answers. List items are built as plain dicts (`to_representation`): a page of 100
storages is serialized in well under a millisecond, while the declared fields keep the schema exact."""

from typing import TYPE_CHECKING

from rest_framework import serializers

from waste.models import WASTE_TYPES, Membership, Organization, Route, Storage, Transfer
from waste.serializers.inputs import per_type_serializer

if TYPE_CHECKING:
    from waste.services import DisposalResult


class SiteRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class StockOutputSerializer(serializers.Serializer):
    stock = serializers.IntegerField()
    limit = serializers.IntegerField()


class RoomOutputSerializer(serializers.Serializer):
    capacity = serializers.IntegerField()
    stored = serializers.IntegerField()
    free = serializers.IntegerField()


OrganizationWasteOutputSerializer = per_type_serializer(
    "OrganizationWasteOutputSerializer", lambda: StockOutputSerializer(required=False), base=serializers.Serializer
)
RoomsOutputSerializer = per_type_serializer(
    "RoomsOutputSerializer", lambda: RoomOutputSerializer(required=False), base=serializers.Serializer
)
AmountsOutputSerializer = per_type_serializer(
    "AmountsOutputSerializer", lambda: serializers.IntegerField(required=False), base=serializers.Serializer
)


def _ref(site: Organization | Storage | None) -> dict | None:
    return {"id": site.pk, "name": site.name} if site is not None else None


def rooms_of(storage: Storage) -> dict[str, dict[str, int]]:
    """Capacity, stored and free room per type, in `WASTE_TYPES` order, from `Storage.objects.with_rooms()`."""
    rooms = {waste_type: (capacity, stored) for waste_type, capacity, stored in storage.room_list}
    return {
        waste_type: {"capacity": room[0], "stored": room[1], "free": room[0] - room[1]}
        for waste_type in WASTE_TYPES
        if (room := rooms.get(waste_type)) is not None
    }


class OrganizationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    waste = OrganizationWasteOutputSerializer(help_text="Stock waiting for disposal and the limit, per type")

    def to_representation(self, organization: Organization) -> dict:
        wastes = {waste.waste_type: waste for waste in organization.wastes.all()}
        return {
            "id": organization.pk,
            "name": organization.name,
            "waste": {
                waste_type: {"stock": waste.stock, "limit": waste.limit}
                for waste_type in WASTE_TYPES
                if (waste := wastes.get(waste_type)) is not None
            },
        }


class StorageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    capacity = AmountsOutputSerializer(help_text="Capacity per equipped type")
    room = RoomsOutputSerializer(help_text="Capacity, stored and free room per equipped type")

    def to_representation(self, storage: Storage) -> dict:
        rooms = rooms_of(storage)
        capacity = {waste_type: room["capacity"] for waste_type, room in rooms.items()}
        return {"id": storage.pk, "name": storage.name, "capacity": capacity, "room": rooms}


# Unbound: formats a transfer's time as the declared field does, without building the serializer's fields per request.
_CREATED_AT = serializers.DateTimeField()


class TransferOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = SiteRefOutputSerializer()
    storage = SiteRefOutputSerializer()
    type = serializers.CharField()
    amount = serializers.IntegerField()
    distance_m = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def to_representation(self, transfer: Transfer) -> dict:
        return {
            "id": transfer.pk,
            "organization": {"id": transfer.organization_id, "name": transfer.organization_name},
            "storage": {"id": transfer.storage_id, "name": transfer.storage_name},
            "type": transfer.waste_type,
            "amount": transfer.amount,
            "distance_m": transfer.distance_m,
            "created_at": _CREATED_AT.to_representation(transfer.created_at),
        }


class DisposalOutputSerializer(serializers.Serializer):
    transfers = TransferOutputSerializer(many=True, help_text="Where the waste went: storage, type, amount, distance")
    left = AmountsOutputSerializer(help_text="Stock still waiting per type (no reachable storage had room)")

    def to_representation(self, result: "DisposalResult") -> dict:
        # The answer of every generate: a plain dict (building the declared fields cost more than the rest).
        transfer = TransferOutputSerializer()
        left = {waste_type: result.left[waste_type] for waste_type in WASTE_TYPES if waste_type in result.left}
        return {"transfers": [transfer.to_representation(item) for item in result.transfers], "left": left}


class StorageWriteOutputSerializer(StorageOutputSerializer):
    transfers = TransferOutputSerializer(many=True, help_text="Pending waste dispatched by this change")

    def to_representation(self, storage: Storage) -> dict:
        transfers = TransferOutputSerializer(self.context.get("transfers", []), many=True).data
        return {**super().to_representation(storage), "transfers": transfers}


class RouteOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_organization = SiteRefOutputSerializer(allow_null=True)
    from_storage = SiteRefOutputSerializer(allow_null=True)
    to_storage = SiteRefOutputSerializer()
    distance_m = serializers.IntegerField()
    two_way = serializers.BooleanField()

    def to_representation(self, route: Route) -> dict:
        return {
            "id": route.pk,
            "from_organization": _ref(route.from_organization),
            "from_storage": _ref(route.from_storage),
            "to_storage": _ref(route.to_storage),
            "distance_m": route.distance_m,
            "two_way": route.two_way,
        }


class RouteWriteOutputSerializer(RouteOutputSerializer):
    transfers = TransferOutputSerializer(many=True, help_text="Pending waste dispatched by this change")

    def to_representation(self, route: Route) -> dict:
        transfers = TransferOutputSerializer(self.context.get("transfers", []), many=True).data
        return {**super().to_representation(route), "transfers": transfers}


class StorageEmptyOutputSerializer(serializers.Serializer):
    storage = StorageOutputSerializer()
    transfers = TransferOutputSerializer(many=True)


class OrganizationStorageOutputSerializer(serializers.Serializer):
    storage = SiteRefOutputSerializer()
    distance_m = serializers.IntegerField(allow_null=True, help_text="Shortest directed path; null when unreachable")
    path = serializers.ListField(
        child=serializers.CharField(), allow_null=True, help_text="Site names from the organization to the storage"
    )
    path_ids = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="Storage ids of `path` after the organization"
    )
    room = RoomsOutputSerializer()

    def to_representation(self, storage: Storage) -> dict:
        path = None
        if storage.path is not None:
            names = self.context["names"]
            path = [self.context["organization"].name, *(names.get(sid, str(sid)) for sid in storage.path)]
        return {
            "storage": {"id": storage.pk, "name": storage.name},
            "distance_m": storage.distance_m,
            "path": path,
            "path_ids": storage.path,
            "room": rooms_of(storage),
        }


class MemberOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    added_at = serializers.DateTimeField()

    def to_representation(self, membership: Membership) -> dict:
        added_at = self.fields["added_at"].to_representation(membership.added_at)
        return {"username": membership.user.get_username(), "added_at": added_at}


class NetworkImportOutputSerializer(serializers.Serializer):
    organizations = serializers.IntegerField(help_text="Organizations created")
    storages = serializers.IntegerField(help_text="Storages created")
    routes = serializers.IntegerField(help_text="Routes created")
    distances = serializers.IntegerField(help_text="(organization, storage) pairs now reachable")
