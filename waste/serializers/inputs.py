"""What clients may send: strict (a string is not a number, unknown keys are refused, echoed keys are cut)."""

from collections.abc import Callable, Mapping

from rest_framework import serializers

from config.api import StrictBooleanField, StrictIntegerField, truncated
from waste.models import WASTE_TYPES, Organization, Storage

AMOUNT_MAX = 2_000_000_000
UNKNOWN_TYPE = f"Unknown waste type; expected one of: {', '.join(WASTE_TYPES)}."
NOT_A_TYPE = f"Not a waste type; expected one of: {', '.join(WASTE_TYPES)}."
# At most this many unknown keys are named back; a body with 100,000 of them gets a short answer too.
UNKNOWN_KEYS_SHOWN = 10


class StrictSerializer(serializers.Serializer):
    """Rejects keys it does not know, naming them (a typo in a waste type must not pass silently)."""

    unknown_message = "Unknown field."

    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in set(data) - set(self.fields))
            if unknown:
                errors = {truncated(key): [self.unknown_message] for key in unknown[:UNKNOWN_KEYS_SHOWN]}
                if len(unknown) > UNKNOWN_KEYS_SHOWN:
                    errors["non_field_errors"] = [f"{len(unknown) - UNKNOWN_KEYS_SHOWN} more unknown keys."]
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def amount_field(**kwargs: object) -> StrictIntegerField:
    return StrictIntegerField(min_value=0, max_value=AMOUNT_MAX, **kwargs)


def per_type_serializer(
    name: str, field: Callable[[], serializers.Field], *, base: type = StrictSerializer, doc: str = ""
) -> type[serializers.Serializer]:
    """A serializer with one optional field per waste type: adding a type to `WASTE_TYPES` adds it everywhere."""
    attributes: dict[str, object] = {waste_type: field() for waste_type in WASTE_TYPES}
    if issubclass(base, StrictSerializer):
        attributes["unknown_message"] = UNKNOWN_TYPE
    return type(name, (base,), {**attributes, "__doc__": doc, "__module__": __name__})


class LimitInputSerializer(StrictSerializer):
    limit = amount_field(help_text="The most the organization holds")


OrganizationWasteInputSerializer = per_type_serializer(
    "OrganizationWasteInputSerializer",
    lambda: LimitInputSerializer(required=False),
    doc="The waste types an organization produces, each with its limit.",
)
AmountsInputSerializer = per_type_serializer(
    "AmountsInputSerializer", lambda: amount_field(required=False), doc="Amounts per waste type."
)


class SiteInputSerializer(StrictSerializer):
    """What organizations and storages share: a name and one amount per type (a limit or a capacity)."""

    name = serializers.CharField(max_length=200)
    per_type_key: str

    def __init__(self, *args: object, partial_update: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if partial_update:  # PATCH: every key optional; a given per-type set replaces the whole set
            for field in self.fields.values():
                field.required = False

    @classmethod
    def amounts(cls, data: Mapping) -> dict[str, int] | None:
        return dict(data[cls.per_type_key]) if cls.per_type_key in data else None


class OrganizationInputSerializer(SiteInputSerializer):
    per_type_key = "waste"
    waste = OrganizationWasteInputSerializer(help_text="Produced types with their limits (replaces the whole set)")

    @classmethod
    def amounts(cls, data: Mapping) -> dict[str, int] | None:
        return {waste_type: item["limit"] for waste_type, item in data["waste"].items()} if "waste" in data else None


class StorageInputSerializer(SiteInputSerializer):
    per_type_key = "capacity"
    capacity = AmountsInputSerializer(help_text="Capacity per equipped type (replaces the whole equipment)")


class GenerateInputSerializer(AmountsInputSerializer):
    min_properties = 1

    def to_internal_value(self, data: object) -> dict:
        # The body of nearly every generate, known types with plain amounts, is taken as it is, in field order:
        # what the declared fields would give, without building them (DRF deep-copies them for every request).
        # Anything else gets the full validation and its messages.
        plain = isinstance(data, Mapping) and all(
            key in WASTE_TYPES and type(value) is int and 0 <= value <= AMOUNT_MAX for key, value in data.items()
        )
        if plain and data:
            return {waste_type: data[waste_type] for waste_type in WASTE_TYPES if waste_type in data}
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Give the amount of at least one waste type."]})
        return attrs


class EmptyInputSerializer(StrictSerializer):
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=WASTE_TYPES, error_messages={"invalid_choice": NOT_A_TYPE}),
        required=False,
        allow_empty=False,
        help_text="Types to empty; all when omitted",
    )


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id must be a JSON integer: `1.5`, `"1"` and `true` are refused instead of read as 1."""

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class RouteInputSerializer(StrictSerializer):
    from_organization = StrictPrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, help_text="Start at this organization"
    )
    from_storage = StrictPrimaryKeyRelatedField(
        queryset=Storage.objects.all(), required=False, allow_null=True, help_text="…or at this storage"
    )
    to_storage = StrictPrimaryKeyRelatedField(queryset=Storage.objects.all())
    distance_m = StrictIntegerField(min_value=1, max_value=AMOUNT_MAX)
    two_way = StrictBooleanField(default=False, help_text="Both directions (only between two storages)")

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("from_organization") is None) == (attrs.get("from_storage") is None):
            raise serializers.ValidationError(
                {"from_organization": ["Give exactly one of from_organization and from_storage."]}
            )
        return attrs


class RouteUpdateInputSerializer(StrictSerializer):
    distance_m = StrictIntegerField(min_value=1, max_value=AMOUNT_MAX, required=False)
    two_way = StrictBooleanField(required=False)


class MemberInputSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150, help_text="An existing user's username")


class NameFilterInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200, help_text="Case-insensitive part of the name")


class TransferFilterInputSerializer(StrictSerializer):
    """Query parameters (text by nature, so digits are read as numbers here); unknown ones are refused."""

    organization = serializers.IntegerField(min_value=1, required=False)
    storage = serializers.IntegerField(min_value=1, required=False)
    type = serializers.ChoiceField(choices=WASTE_TYPES, required=False, error_messages={"invalid_choice": NOT_A_TYPE})
    limit = serializers.IntegerField(required=False, help_text="Checked by the paginator")
    offset = serializers.IntegerField(required=False, help_text="Checked by the paginator")
