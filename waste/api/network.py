"""The whole network at once: import (all or nothing) and export, both staff only."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ERROR_401, error_response, validation_error_response
from waste.api.parsers import NetworkImportParser
from waste.api.schema import ERROR_403_STAFF, TAG
from waste.permissions import IsStaff
from waste.selectors import network_export
from waste.serializers.outputs import NetworkImportOutputSerializer
from waste.services import network_import

NETWORK = {
    "organizations": [{"name": "ОО1", "waste": {"plastic": {"limit": 10, "stock": 10}, "glass": {"limit": 50}}}],
    "storages": [
        {"name": "МНО1", "capacity": {"plastic": 100, "glass": 300}},
        {"name": "МНО2", "capacity": {"plastic": 50}},
    ],
    "routes": [
        {"from": "ОО1", "to": "МНО1", "distance_m": 100},
        {"from": "МНО1", "to": "МНО2", "distance_m": 100, "two_way": True},
    ],
}
EXPORTED = {
    "organizations": [
        {"id": 1, "name": "ОО1", "waste": {"glass": {"limit": 50, "stock": 0}, "plastic": {"limit": 10, "stock": 10}}}
    ],
    "storages": [
        {"id": 1, "name": "МНО1", "capacity": {"glass": 300, "plastic": 100}},
        {"id": 2, "name": "МНО2", "capacity": {"plastic": 50}},
    ],
    "routes": [
        {"id": 1, "from": "ОО1", "to": "МНО1", "distance_m": 100, "two_way": False},
        {"id": 2, "from": "МНО1", "to": "МНО2", "distance_m": 100, "two_way": True},
    ],
}


class NetworkDocumentSerializer(serializers.Serializer):
    """Documentation only: the service validates the document itself (20,000 routes in milliseconds)."""

    organizations = serializers.ListField(
        child=serializers.DictField(), help_text='[{"name", "waste": {type: {"limit", "stock"?}}}]'
    )
    storages = serializers.ListField(child=serializers.DictField(), help_text='[{"name", "capacity": {type: n}}]')
    routes = serializers.ListField(
        child=serializers.DictField(), help_text='[{"from": name, "to": name, "distance_m", "two_way"?}]'
    )


class NetworkImportApi(APIView):
    permission_classes = [IsStaff]
    parser_classes = [NetworkImportParser]

    @extend_schema(
        tags=[TAG],
        summary="Import a network (staff)",
        description="Adds organizations, storages and routes from one document, all or nothing. Routes name their "
        "ends (sites of the document or already in the network); a name that is unknown, ambiguous (an "
        "organization and a storage) or duplicated is a 400 naming it and its index; names already in the network "
        "are a 409 naming them. `id` keys (as the export writes them) are ignored. Distances are computed at once "
        "(written with COPY); nothing is disposed. Bodies up to WASTE_IMPORT_MAX_BYTES (50 MiB). Staff only.",
        request=NetworkDocumentSerializer,
        responses={
            201: NetworkImportOutputSerializer,
            400: validation_error_response(
                (
                    "unknown site",
                    {
                        "detail": "routes[1]: to 'МНО9' is not a known storage",
                        "code": "import_invalid",
                        "field": "routes",
                        "index": 1,
                        "name": "МНО9",
                    },
                ),
            ),
            401: ERROR_401,
            403: ERROR_403_STAFF,
            409: error_response(
                "Sites of the document are already in the network.",
                ("taken", {"detail": "Already in the network: 'ОО1'.", "code": "names_taken", "names": ["ОО1"]}),
            ),
            413: error_response(
                "The document is larger than WASTE_IMPORT_MAX_BYTES.",
                (
                    "too large",
                    {"detail": "The network document is larger than 52428800 bytes.", "code": "request_too_large"},
                ),
            ),
        },
        examples=[
            OpenApiExample("small network", NETWORK, request_only=True),
            OpenApiExample(
                "imported",
                {"organizations": 1, "storages": 2, "routes": 2, "distances": 2},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        counts = network_import(data=request.data)
        return Response(NetworkImportOutputSerializer(counts).data, status=status.HTTP_201_CREATED)


class NetworkExportApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        tags=[TAG],
        summary="Export the network (staff)",
        description="The whole network in the import shape, with ids added (stock per organization included; what "
        "storages hold is not). Importing it into an empty database rebuilds the same network. Staff only.",
        responses={200: NetworkDocumentSerializer, 401: ERROR_401, 403: ERROR_403_STAFF},
        examples=[OpenApiExample("exported", EXPORTED, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response(network_export())
