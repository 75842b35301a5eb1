import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_key_is_an_apikey_scheme_in_swagger(schema):
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-KEY",
        "description": "The API_KEY setting.",
    }


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/pets", "get", {"200", "400", "401"}),
        ("/pets", "post", {"201", "400", "401"}),
        ("/pets", "delete", {"200", "400", "401"}),
        ("/pets/{pet_id}/photo", "post", {"201", "400", "401", "404", "409", "413"}),
    ],
)
def test_every_pets_operation_is_documented(schema, path, method, codes):
    operation = schema["paths"][path][method]
    assert operation["tags"] == ["pets"]
    assert operation["security"] == [{"ApiKeyAuth": []}]
    assert set(operation["responses"]) == codes
    for code in codes:
        assert operation["responses"][code]["content"]["application/json"]["examples"]


def test_the_photo_upload_is_a_multipart_file_form(schema):
    body = schema["paths"]["/pets/{pet_id}/photo"]["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    component = body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][component]["properties"]["file"]["format"] == "binary"
