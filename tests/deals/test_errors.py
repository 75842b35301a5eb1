"""Every failure of POST /deals answers brief 003's {"Status": "Error", "Desc": ...}, with its own status code."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import DealsDataset, DealsUpload
from tests.deals.conftest import HEADER, SMALL_CSV, SMALL_EXPECTED, csv_file, top, upload

pytestmark = pytest.mark.django_db

GOOD_ROW = "alice,Ruby,100,1,2018-12-14 08:29:52\n"


@pytest.mark.parametrize(
    ("credentials", "desc"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"HTTP_AUTHORIZATION": "Bearer not-a-token"}, "Given token not valid for any token type"),
    ],
    ids=["no-token", "bad-token"],
)
def test_401_has_status_and_desc(api_client, credentials, desc):
    api_client.credentials(**credentials)
    response = upload(api_client, SMALL_CSV)
    assert response.status_code == 401
    assert response.json() == {"Status": "Error", "Desc": desc}
    assert not DealsDataset.objects.exists()


def test_a_json_body_is_415_with_status_and_desc(auth_client):
    response = auth_client.post("/deals", {"deals": SMALL_CSV}, format="json")
    assert response.status_code == 415
    assert response.json() == {"Status": "Error", "Desc": 'Unsupported media type "application/json" in request.'}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405_with_status_and_desc(auth_client, method):
    response = getattr(auth_client, method)("/deals")
    assert response.status_code == 405
    assert response.json() == {"Status": "Error", "Desc": f'Method "{method.upper()}" not allowed.'}


def test_an_oversized_form_field_is_413_with_status_and_desc(auth_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = auth_client.post("/deals", {"note": "x" * 5000, "deals": csv_file(SMALL_CSV)}, format="multipart")
    assert response.status_code == 413
    assert response.json() == {"Status": "Error", "Desc": "The request body is too large."}


def test_two_files_in_deals_are_refused(small_dataset, api_client):
    files = [csv_file(SMALL_CSV, "a.csv"), SimpleUploadedFile("b.csv", b"customer\n", content_type="text/csv")]
    response = small_dataset.post("/deals", {"deals": files}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"Status": "Error", "Desc": 'send one file in the "deals" field, not 2'}
    assert top(api_client) == SMALL_EXPECTED
    assert DealsUpload.objects.filter(status="error").get().error == 'send one file in the "deals" field, not 2'


def test_a_100000_column_header_is_refused_fast_with_a_short_message(small_dataset, api_client):
    header = ",".join(f"column_name_{n}" for n in range(100_000)) + "\n"
    started = time.monotonic()
    response = upload(small_dataset, header + GOOD_ROW)
    elapsed = time.monotonic() - started
    assert response.json() == {
        "Status": "Error",
        "Desc": "line 1: the header is longer than 1024 bytes; it must be customer,item,total,quantity,date",
    }
    assert len(response.content) < 200
    assert elapsed < 10  # seconds, not the minutes of a quadratic check; the bench measures, this only bounds
    assert top(api_client) == SMALL_EXPECTED


def test_a_header_with_too_many_columns_is_refused(auth_client):
    header = ",".join(["customer", "item", "total", "quantity", "date"] + [f"c{n}" for n in range(40)]) + "\n"
    response = upload(auth_client, header + GOOD_ROW)
    assert response.json() == {
        "Status": "Error",
        "Desc": "line 1: the header has 45 columns; it must be customer,item,total,quantity,date (any order)",
    }


def test_echoed_header_names_are_few_and_short(auth_client):
    long_name = "n" * 200
    header = f"customer,item,total,quantity,date,{long_name},b,c,d,e,f,g\n"
    desc = upload(auth_client, header + GOOD_ROW).json()["Desc"]
    assert desc == (
        "line 1: the header must be customer,item,total,quantity,date (any order): unexpected "
        f'"{"n" * 32}… (200 characters)", "b", "c", "d", "e" and 2 more'
    )


def test_a_header_at_the_byte_limit_is_read(auth_client, settings):
    settings.DEALS_MAX_HEADER_BYTES = len(HEADER)
    assert upload(auth_client, HEADER + GOOD_ROW).json() == {"Status": "OK"}
    settings.DEALS_MAX_HEADER_BYTES = len(HEADER) - 1
    assert upload(auth_client, HEADER + GOOD_ROW).json()["Desc"].startswith("line 1: the header is longer than")
