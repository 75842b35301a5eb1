import logging

import pytest


@pytest.mark.urls("tests.config.error_urls")
def test_unexpected_error_is_a_logged_generic_500(client, caplog):
    with caplog.at_level(logging.ERROR, logger="config.exceptions"):
        response = client.get("/broken")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error", "code": "server_error"}
    assert "secret internals" not in response.content.decode()
    record = next(r for r in caplog.records if r.name == "config.exceptions")
    assert record.exc_info is not None
    assert "boom" in str(record.exc_info[1])


@pytest.mark.urls("tests.config.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/missing", 404, {"detail": "widget 7 not found", "code": "not_found"}),
        ("/conflict", 409, {"detail": "widget is in use", "code": "conflict", "widgets": [1, 2]}),
    ],
)
def test_domain_errors_map_to_their_status(client, path, status, body):
    response = client.get(path)
    assert response.status_code == status
    assert response.json() == body


@pytest.mark.django_db
def test_unknown_url_is_404(client):
    assert client.get("/no-such-endpoint").status_code == 404


@pytest.mark.django_db
def test_every_request_is_logged_with_method_path_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="config.requests"):
        client.get("/health")
    line = next(r.getMessage() for r in caplog.records if r.name == "config.requests")
    method, path, status, duration = line.split()
    assert (method, path, status) == ("GET", "/health", "200")
    assert duration.endswith("ms")
    assert float(duration[:-2]) >= 0


@pytest.mark.django_db
def test_malformed_json_is_a_400_not_a_500(client):
    response = client.post("/auth/register", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-endpoint", "/pets/not-a-uuid/photo/x", "/waste/organizations/abc"])
def test_unknown_urls_answer_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.urls("tests.config.error_urls")
def test_a_lost_database_is_a_503_with_retry_after(client):
    response = client.get("/database-down")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
