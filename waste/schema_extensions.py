"""drf-spectacular: request bodies of the waste API reject unknown keys, and the schema says so."""

from drf_spectacular.extensions import OpenApiSerializerExtension


class StrictSerializerExtension(OpenApiSerializerExtension):
    target_class = "waste.serializers.inputs.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        min_properties = getattr(self.target, "min_properties", 0)
        if min_properties:
            schema["minProperties"] = min_properties
        return schema
