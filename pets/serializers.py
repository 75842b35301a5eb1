"""Input and output shapes of the pets API (inputs and outputs kept apart)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from config.api import StrictIntegerField
from pets.models import Pet
from pets.selectors import created_at_text
from pets.storage import photo_url

BOOLEAN_VALUES = {"true": True, "1": True, "false": False, "0": False}
BOOLEAN_ERROR = "Must be one of: true, false, 1, 0."
MAX_DELETE_IDS = 1000


def parse_boolean(value: str) -> bool:
    """`true`/`1` → True, `false`/`0` → False (any case); anything else raises ValueError."""
    try:
        return BOOLEAN_VALUES[str(value).strip().lower()]
    except KeyError:
        raise ValueError(BOOLEAN_ERROR) from None


@extend_schema_field(OpenApiTypes.BOOL)
class QueryBooleanField(serializers.Field):
    """Unlike DRF's BooleanField, only true/false/1/0: `has_photos=yes` is a mistake worth a 400."""

    def to_internal_value(self, data: object) -> bool:
        try:
            return parse_boolean(str(data))
        except ValueError:
            raise serializers.ValidationError(BOOLEAN_ERROR) from None

    def to_representation(self, value: bool) -> bool:
        return value

    def get_value(self, dictionary):
        # DRF treats `?has_photos=` like an absent parameter; here an empty value is a mistake too.
        return dictionary.get(self.field_name, empty)


class PetCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=100)
    age = StrictIntegerField(min_value=0, max_value=100)
    type = serializers.ChoiceField(choices=Pet.Type.choices)


class PetListFilterInputSerializer(serializers.Serializer):
    has_photos = QueryBooleanField(required=False)


class PhotoUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, help_text="A JPEG, PNG, GIF or WebP image.")


class PetsDeleteInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.JSONField(allow_null=True),
        max_length=MAX_DELETE_IDS,
        help_text=f"Pet ids (UUIDs), at most {MAX_DELETE_IDS}. Ids that do not exist are reported in `errors`.",
    )


class PhotoOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return photo_url(photo.file.name, request=self.context.get("request"))


@extend_schema_field({"type": "string", "example": "2021-05-18T19:10:17", "description": "UTC, whole seconds, no zone"})
class CreatedAtField(serializers.Field):
    def to_representation(self, value) -> str:
        return created_at_text(value)


class PetOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    age = serializers.IntegerField()
    type = serializers.ChoiceField(choices=Pet.Type.choices)
    photos = PhotoOutputSerializer(many=True)
    created_at = CreatedAtField(read_only=True)


class PetPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    items = PetOutputSerializer(many=True)


class PetDeleteErrorOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    error = serializers.CharField()


class PetsDeleteOutputSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()
    errors = PetDeleteErrorOutputSerializer(many=True)
