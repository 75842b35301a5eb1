"""Swagger documents every books/authors operation with schemas, examples and its error responses."""

import pytest
from drf_spectacular.generators import SchemaGenerator

EXPECTED = {
    ("/books", "get"): {"200", "400", "401"},
    ("/books", "post"): {"201", "400", "401"},
    ("/books/{book_id}", "get"): {"200", "401", "404"},
    ("/books/{book_id}", "put"): {"200", "400", "401", "404"},
    ("/books/{book_id}", "patch"): {"200", "400", "401", "404"},
    ("/books/{book_id}", "delete"): {"204", "401", "404"},
    ("/books/{book_id}/rating", "get"): {"200", "401", "404"},
    ("/books/{book_id}/rating", "put"): {"200", "400", "401", "404"},
    ("/books/{book_id}/rating", "delete"): {"204", "401", "404"},
    ("/authors", "get"): {"200", "400", "401"},
    ("/authors", "post"): {"201", "400", "401"},
    ("/authors/{author_id}", "get"): {"200", "401", "404"},
    ("/authors/{author_id}", "put"): {"200", "400", "401", "404"},
    ("/authors/{author_id}", "patch"): {"200", "400", "401", "404"},
    ("/authors/{author_id}", "delete"): {"204", "401", "404", "409"},
}


@pytest.fixture(scope="module")
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("path", "method"), list(EXPECTED))
def test_operation_is_documented(document, path, method):
    operation = document["paths"][path][method]
    assert operation["tags"] == ["authors" if path.startswith("/authors") else "books"]
    assert operation["summary"]
    assert len(operation["description"]) > 30
    assert set(operation["responses"]) == EXPECTED[(path, method)]
    assert {"jwtAuth": []} in operation["security"]
    assert document["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert {} not in operation["security"]  # no anonymous access
    if method in {"post", "put", "patch"}:
        assert set(operation["requestBody"]["content"]) == {"application/json"}  # no multipart / form bodies
        assert operation["requestBody"]["content"]["application/json"]["examples"]
    success = operation["responses"][min(EXPECTED[(path, method)])]
    if "content" in success:
        assert success["content"]["application/json"]["examples"]
    for code in {"400", "401", "404", "409"} & set(operation["responses"]):
        error = operation["responses"][code]["content"]["application/json"]
        assert error["schema"], code
        assert error["examples"], code


def test_book_writes_show_both_ways_to_name_the_authors(document):
    for path, method in [("/books", "post"), ("/books/{book_id}", "put")]:
        examples = document["paths"][path][method]["requestBody"]["content"]["application/json"]["examples"]
        bodies = [example["value"] for example in examples.values()]
        assert {"title": "New Book", "author": "New Author", "published_on": "2024-01-01"} in bodies
        assert any("author_ids" in body for body in bodies)
    book = document["components"]["schemas"]["BookInputRequest"]["properties"]
    assert {"author", "author_ids"} <= set(book)


def test_list_filters_are_documented(document):
    names = {parameter["name"] for parameter in document["paths"]["/books"]["get"]["parameters"]}
    assert names == {"search", "author", "published_after", "published_before", "ordering", "limit", "offset"}
    ordering = next(p for p in document["paths"]["/books"]["get"]["parameters"] if p["name"] == "ordering")
    assert set(ordering["schema"]["enum"]) == {"title", "-title", "published_on", "-published_on", "rating", "-rating"}
