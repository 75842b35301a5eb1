"""Shared OpenAPI pieces of the waste endpoints: error responses and examples."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse

TAG = "waste"

ERROR_400 = OpenApiResponse(
    description='Bad input, naming the field or waste type: `{"field": ["message"]}` or `{"detail", "code", ...}`',
    examples=[
        OpenApiExample("bad amount", {"plastic": ["Ensure this value is greater than or equal to 0."]}),
        OpenApiExample(
            "over the limit",
            {
                "detail": "glass: stock 20 + 50 exceeds the limit 50",
                "code": "limit_exceeded",
                "type": "glass",
                "stock": 20,
                "limit": 50,
            },
        ),
    ],
)
ERROR_401 = OpenApiResponse(
    description='Writes need a JWT: `{"detail": "Authentication credentials were not provided."}`',
    examples=[OpenApiExample("no token", {"detail": "Authentication credentials were not provided."})],
)


def error_404(thing: str) -> OpenApiResponse:
    return OpenApiResponse(
        description=f"Unknown {thing} id",
        examples=[OpenApiExample("not found", {"detail": f"{thing} 999 not found", "code": f"{thing}_not_found"})],
    )


SITE_1 = {"id": 1, "name": "ОО1"}
STORAGE_2 = {"id": 2, "name": "МНО2"}
TRANSFER = {
    "id": 7,
    "organization": SITE_1,
    "storage": STORAGE_2,
    "type": "plastic",
    "amount": 10,
    "distance_m": 50,
    "created_at": "2026-11-23T12:00:00Z",
}
ORGANIZATION = {
    "id": 1,
    "name": "ОО1",
    "waste": {
        "bio": {"stock": 0, "limit": 50},
        "glass": {"stock": 0, "limit": 50},
        "plastic": {"stock": 0, "limit": 10},
    },
}
STORAGE = {
    "id": 2,
    "name": "МНО2",
    "capacity": {"bio": 150, "plastic": 50},
    "room": {
        "bio": {"capacity": 150, "stored": 50, "free": 100},
        "plastic": {"capacity": 50, "stored": 10, "free": 40},
    },
}
ROUTE = {
    "id": 3,
    "from_organization": SITE_1,
    "from_storage": None,
    "to_storage": STORAGE_2,
    "distance_m": 50,
    "two_way": False,
}
