"""Swagger is complete: every operation has a description, request and answer examples, and error bodies.

Walks the generated OpenAPI document; a failure names each operation and what it lacks.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Bodies that are not JSON by nature: the CSV upload and the photo upload take multipart.
MULTIPART_OPERATIONS = {("post", "/deals"), ("post", "/pets/{pet_id}/photo"), ("post", "/pets/{id}/photo")}
# Operations whose answer carries no body, or a body that is not JSON.
NO_BODY_STATUSES = {"204", "301", "302", "304"}
# Liveness touches no dependency and answers 200 while the process serves requests: it has no error answer.
NO_ERROR_OPERATIONS = {("get", "/health")}


@pytest.fixture(scope="module")
def operations(django_db_blocker) -> list[tuple[str, str, dict]]:
    with django_db_blocker.unblock():
        document = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _has_examples(content: dict) -> bool:
    return any("example" in media or media.get("examples") for media in content.values())


def _problems(method: str, path: str, operation: dict) -> list[str]:
    problems = []
    if not operation.get("description", "").strip():
        problems.append("no description")
    body = operation.get("requestBody")
    if body:
        content = body.get("content", {})
        if not _has_examples(content):
            problems.append("no request example")
        if (method, path) not in MULTIPART_OPERATIONS and set(content) - {"application/json"}:
            problems.append(f"advertises non-JSON request bodies {sorted(set(content) - {'application/json'})}")
    for status, response in operation.get("responses", {}).items():
        if status in NO_BODY_STATUSES:
            continue
        content = response.get("content", {})
        if not content:
            problems.append(f"{status} has no body schema")
        elif not _has_examples(content):
            problems.append(f"{status} has no example")
    has_error = any(status.startswith(("4", "5")) for status in operation.get("responses", {}))
    if not has_error and (method, path) not in NO_ERROR_OPERATIONS:
        problems.append("documents no error answer")
    return problems


def test_every_operation_is_documented_with_examples_and_errors(operations):
    assert len(operations) >= 40
    missing = {
        f"{method.upper()} {path}": problems
        for method, path, operation in operations
        if (problems := _problems(method, path, operation))
    }
    assert missing == {}
