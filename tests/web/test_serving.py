"""/app/ serves the built web client: files by whitenoise (hashed bundles cached for good), every other /app/...
path the client's index.html (deep links), `/` redirects there, and a missing build is a clear JSON 503.

These use a small stand-in build in a temporary folder; tests/web/test_browser.py drives the real one.
"""

import gzip
import warnings

import pytest

INDEX = b'<!doctype html><html><head><script type="module" src="/app/assets/index-AbC12_-9.js"></script></head></html>'
BUNDLE = b"console.log('the client');" * 50


@pytest.fixture
def client_build(tmp_path, settings):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "assets" / "index-AbC12_-9.js").write_bytes(BUNDLE)
    (dist / "assets" / "index-AbC12_-9.js.gz").write_bytes(gzip.compress(BUNDLE))  # what `make web` adds
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    settings.WEB_CLIENT_DIST = dist
    return dist


@pytest.fixture(params=[True, False], ids=["DEBUG on (files looked up per request)", "DEBUG off (scanned at start)"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize("path", ["/app/", "/app/books", "/app/books/12/edit", "/app/authors/3?search=x", "/app/x/y/z"])
def test_every_page_of_the_client_is_its_index_html(client, client_build, debug, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response.content == INDEX
    assert response["Cache-Control"] == "no-cache"  # a new build is seen at once
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "connect-src 'self'" in response["Content-Security-Policy"]


def test_hashed_bundles_are_cached_for_good_and_sent_compressed(client, client_build, debug):
    response = client.get("/app/assets/index-AbC12_-9.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == BUNDLE


def test_files_without_a_hash_are_not_cached_for_good(client, client_build, debug):
    response = client.get("/app/favicon.svg")
    response.close()  # a streamed file: close it, or its handle outlives the test
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


def test_a_missing_bundle_is_a_json_404_not_the_page(client, client_build, debug):
    response = client.get("/app/assets/index-OldBuild.js")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("path", ["/app/", "/app/books/1"])
def test_without_a_build_the_client_answers_a_503_saying_how_to_build_it(client, settings, tmp_path, debug, path):
    settings.WEB_CLIENT_DIST = tmp_path / "never-built"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no whitenoise warning about the missing folder
        response = client.get(path)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "web_client_not_built"
    assert "make web" in body["detail"]
    assert "npm run build" in body["detail"]


@pytest.mark.parametrize("path", ["/", "/app"])
def test_the_root_and_app_without_slash_redirect_to_the_client(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/app/"


def test_the_client_pages_are_read_only(client, client_build):
    response = client.post("/app/books", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_the_api_paths_are_unchanged(client, client_build):
    assert client.get("/books").status_code == 401  # still the API, not the client's page
    assert client.get("/health").status_code == 200
