"""OpenAPI pieces shared by the waste endpoints: the tag, example bodies and the waste-specific errors."""

from config.api import ERROR_401, error_response, not_found_message, validation_error_response

TAG = "waste"
JSON_ONLY = "Takes a JSON body only."

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
DISPOSAL = {"transfers": [TRANSFER], "left": {"bio": 0, "glass": 0, "plastic": 0}}
MEMBER = {"username": "demo", "added_at": "2026-11-23T12:00:00Z"}


def page(item: dict) -> dict:
    return {"count": 1, "items": [item]}


def error_404(entity: str) -> object:
    return error_response(
        f"No {entity} with this id.",
        ("not found", {"detail": not_found_message(entity, 42), "code": f"{entity}_not_found"}),
    )


ERROR_400 = validation_error_response(
    ("bad amount", {"plastic": ["A valid integer is required (a JSON number, not a string)."]}),
    ("unknown type", {"metal": ["Unknown waste type; expected one of: bio, glass, plastic."]}),
)
ERROR_400_GENERATE = validation_error_response(
    ("bad amount", {"plastic": ["Ensure this value is greater than or equal to 0."]}),
    (
        "over the limit",
        {
            "detail": "glass: stock 20 + 50 exceeds the limit 50",
            "code": "limit_exceeded",
            "type": "glass",
            "stock": 20,
            "limit": 50,
        },
    ),
    ("not produced", {"detail": "organization 1 does not produce metal", "code": "type_not_produced"}),
)
ERROR_400_NAME = validation_error_response(
    ("name taken", {"detail": "storage named 'МНО2' already exists", "code": "name_taken", "field": "name"}),
    ("bad capacity", {"capacity": {"plastic": ["Ensure this value is greater than or equal to 0."]}}),
)
ERROR_400_ROUTE = validation_error_response(
    ("two sources", {"from_organization": ["Give exactly one of from_organization and from_storage."]}),
    ("not an id", {"from_organization": ["Incorrect type. Expected pk value, received float."]}),
    ("duplicate", {"detail": "this route already exists", "code": "route_invalid", "field": "to_storage"}),
)
ERROR_403_STAFF = error_response(
    "Authenticated, but not staff: only staff change the network.",
    ("not staff", {"detail": "Only staff may change the waste network.", "code": "staff_only"}),
)
ERROR_403_MEMBERS = error_response(
    "Authenticated, but not staff: only staff manage members.",
    ("not staff", {"detail": "Only staff may manage the members of an organization.", "code": "staff_only"}),
)
ERROR_403_MEMBER = error_response(
    "Neither staff nor a member of this organization.",
    (
        "not a member",
        {
            "detail": "Only staff and members of organization 'ОО1' (1) may generate or dispose its waste.",
            "code": "not_a_member",
            "organization": SITE_1,
        },
    ),
)
STAFF_WRITE_ERRORS = {401: ERROR_401, 403: ERROR_403_STAFF}
