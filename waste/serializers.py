"""Input and output shapes of the waste API (kept apart: a response may change without changing input)."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waste.models import WASTE_TYPES, Organization, Route, Storage, Transfer


class StrictSerializer(serializers.Serializer):
    """Rejects keys it does not know, naming them (a typo in a waste type must not pass silently)."""

    unknown_message = "Unknown field."

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({str(key): [self.unknown_message] for key in unknown})
        return super().to_internal_value(data)

    @classmethod
    def validate_or_400(cls, data: object, **kwargs: object) -> dict:
        serializer = cls(data=data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


UNKNOWN_TYPE = f"Unknown waste type; expected one of: {', '.join(WASTE_TYPES)}."


def _amount_field(**kwargs: object) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, **kwargs)


# --- input -------------------------------------------------------------------------------------------


class LimitInSerializer(StrictSerializer):
    limit = serializers.IntegerField(min_value=0, max_value=2_000_000_000, help_text="The most the organization holds")


class OrganizationWasteInSerializer(StrictSerializer):
    unknown_message = UNKNOWN_TYPE
    bio = LimitInSerializer(required=False)
    glass = LimitInSerializer(required=False)
    plastic = LimitInSerializer(required=False)


class OrganizationInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    waste = OrganizationWasteInSerializer(help_text="The waste types the organization produces, with their limits")

    @staticmethod
    def limits(data: dict) -> dict[str, int] | None:
        if "waste" not in data:
            return None
        return {waste_type: item["limit"] for waste_type, item in data["waste"].items()}


class OrganizationUpdateInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    waste = OrganizationWasteInSerializer(required=False, help_text="Replaces the whole set of produced types")

    limits = staticmethod(OrganizationInSerializer.limits)


class AmountsInSerializer(StrictSerializer):
    """Amounts per waste type: non-negative integers."""

    unknown_message = UNKNOWN_TYPE
    bio = _amount_field()
    glass = _amount_field()
    plastic = _amount_field()


class GenerateInSerializer(AmountsInSerializer):
    min_properties = 1

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Give the amount of at least one waste type."]})
        return attrs


class CapacityInSerializer(AmountsInSerializer):
    """Capacity per equipped waste type."""


class StorageInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    capacity = CapacityInSerializer(help_text="Capacity per equipped type; types left out are not accepted")


class StorageUpdateInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    capacity = CapacityInSerializer(
        required=False, help_text="Replaces the whole equipment (types left out are removed)"
    )


class EmptyInSerializer(StrictSerializer):
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=WASTE_TYPES),
        required=False,
        allow_empty=False,
        help_text="Types to empty; all when omitted",
    )


class RouteInSerializer(StrictSerializer):
    from_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, help_text="Start at this organization"
    )
    from_storage = serializers.PrimaryKeyRelatedField(
        queryset=Storage.objects.all(), required=False, allow_null=True, help_text="…or at this storage"
    )
    to_storage = serializers.PrimaryKeyRelatedField(queryset=Storage.objects.all())
    distance_m = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    two_way = serializers.BooleanField(default=False, help_text="Both directions (only between two storages)")

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("from_organization") is None) == (attrs.get("from_storage") is None):
            raise serializers.ValidationError(
                {"from_organization": ["Give exactly one of from_organization and from_storage."]}
            )
        return attrs


class RouteUpdateSerializer(StrictSerializer):
    distance_m = serializers.IntegerField(min_value=1, max_value=2_000_000_000, required=False)
    two_way = serializers.BooleanField(required=False)


class TransferFilterSerializer(StrictSerializer):
    organization = serializers.IntegerField(min_value=1, required=False)
    storage = serializers.IntegerField(min_value=1, required=False)
    type = serializers.ChoiceField(choices=WASTE_TYPES, required=False)
    limit = serializers.IntegerField(required=False)
    offset = serializers.IntegerField(required=False)


# --- output ------------------------------------------------------------------------------------------


class SiteRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class StockOutSerializer(serializers.Serializer):
    stock = serializers.IntegerField()
    limit = serializers.IntegerField()


class OrganizationWasteOutSerializer(serializers.Serializer):
    bio = StockOutSerializer(required=False)
    glass = StockOutSerializer(required=False)
    plastic = StockOutSerializer(required=False)


class OrganizationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    waste = serializers.SerializerMethodField()

    @extend_schema_field(OrganizationWasteOutSerializer)
    def get_waste(self, organization: Organization) -> dict:
        wastes = {waste.waste_type: waste for waste in organization.wastes.all()}
        return {
            waste_type: {"stock": wastes[waste_type].stock, "limit": wastes[waste_type].limit}
            for waste_type in WASTE_TYPES
            if waste_type in wastes
        }


class RoomOutSerializer(serializers.Serializer):
    capacity = serializers.IntegerField()
    stored = serializers.IntegerField()
    free = serializers.IntegerField()


class RoomsOutSerializer(serializers.Serializer):
    bio = RoomOutSerializer(required=False)
    glass = RoomOutSerializer(required=False)
    plastic = RoomOutSerializer(required=False)


class CapacityOutSerializer(serializers.Serializer):
    bio = serializers.IntegerField(required=False)
    glass = serializers.IntegerField(required=False)
    plastic = serializers.IntegerField(required=False)


def rooms_of(storage: Storage) -> dict[str, dict[str, int]]:
    rooms = {room.waste_type: room for room in storage.rooms.all()}
    return {
        waste_type: {
            "capacity": rooms[waste_type].capacity,
            "stored": rooms[waste_type].stored,
            "free": rooms[waste_type].free,
        }
        for waste_type in WASTE_TYPES
        if waste_type in rooms
    }


class StorageOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    capacity = serializers.SerializerMethodField()
    room = serializers.SerializerMethodField()

    @extend_schema_field(CapacityOutSerializer)
    def get_capacity(self, storage: Storage) -> dict[str, int]:
        return {waste_type: room["capacity"] for waste_type, room in rooms_of(storage).items()}

    @extend_schema_field(RoomsOutSerializer)
    def get_room(self, storage: Storage) -> dict:
        return rooms_of(storage)


class TransferOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.SerializerMethodField()
    storage = serializers.SerializerMethodField()
    type = serializers.CharField(source="waste_type")
    amount = serializers.IntegerField()
    distance_m = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(SiteRefSerializer)
    def get_organization(self, transfer: Transfer) -> dict:
        return {"id": transfer.organization_id, "name": transfer.organization_name}

    @extend_schema_field(SiteRefSerializer)
    def get_storage(self, transfer: Transfer) -> dict:
        return {"id": transfer.storage_id, "name": transfer.storage_name}


class LeftOutSerializer(serializers.Serializer):
    bio = serializers.IntegerField(required=False)
    glass = serializers.IntegerField(required=False)
    plastic = serializers.IntegerField(required=False)


class DisposalOutSerializer(serializers.Serializer):
    transfers = TransferOutSerializer(many=True)
    left = LeftOutSerializer(help_text="Stock still waiting per type (no reachable storage had room)")


class StorageWriteOutSerializer(StorageOutSerializer):
    transfers = serializers.SerializerMethodField()

    @extend_schema_field(TransferOutSerializer(many=True))
    def get_transfers(self, storage: Storage) -> list:
        return TransferOutSerializer(self.context.get("transfers", []), many=True).data


class RouteOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_organization = serializers.SerializerMethodField()
    from_storage = serializers.SerializerMethodField()
    to_storage = serializers.SerializerMethodField()
    distance_m = serializers.IntegerField()
    two_way = serializers.BooleanField()

    @extend_schema_field(SiteRefSerializer(allow_null=True))
    def get_from_organization(self, route: Route) -> dict | None:
        site = route.from_organization
        return {"id": site.id, "name": site.name} if site else None

    @extend_schema_field(SiteRefSerializer(allow_null=True))
    def get_from_storage(self, route: Route) -> dict | None:
        site = route.from_storage
        return {"id": site.id, "name": site.name} if site else None

    @extend_schema_field(SiteRefSerializer)
    def get_to_storage(self, route: Route) -> dict:
        return {"id": route.to_storage.id, "name": route.to_storage.name}


class RouteWriteOutSerializer(RouteOutSerializer):
    transfers = serializers.SerializerMethodField()

    @extend_schema_field(TransferOutSerializer(many=True))
    def get_transfers(self, route: Route) -> list:
        return TransferOutSerializer(self.context.get("transfers", []), many=True).data


class StorageEmptyOutSerializer(serializers.Serializer):
    storage = StorageOutSerializer()
    transfers = TransferOutSerializer(many=True)


class OrganizationStorageOutSerializer(serializers.Serializer):
    storage = serializers.SerializerMethodField()
    distance_m = serializers.IntegerField(allow_null=True, help_text="Shortest directed path; null when unreachable")
    path = serializers.SerializerMethodField()
    room = serializers.SerializerMethodField()

    @extend_schema_field(SiteRefSerializer)
    def get_storage(self, storage: Storage) -> dict:
        return {"id": storage.id, "name": storage.name}

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_path(self, storage: Storage) -> list[str] | None:
        if storage.path is None:
            return None
        names = self.context["names"]
        return [
            self.context["organization"].name,
            *(names.get(storage_id, str(storage_id)) for storage_id in storage.path),
        ]

    @extend_schema_field(RoomsOutSerializer)
    def get_room(self, storage: Storage) -> dict:
        return rooms_of(storage)
