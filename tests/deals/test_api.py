import csv
from collections import defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache

from deals.models import Deal, DealsDataset, DealsUpload
from tests.deals.conftest import (
    FILES,
    SMALL_CSV,
    SMALL_EXPECTED,
    TWO_CUSTOMERS_CSV,
    TWO_CUSTOMERS_EXPECTED,
    big_csv,
    top,
    upload,
)
from tests.deals.factories import DealsUploadFactory

pytestmark = pytest.mark.django_db


def brute_force_top(path) -> list[dict]:
    """An independent answer: plain Python over the rows."""
    spent: dict[str, Decimal] = defaultdict(Decimal)
    gems: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8-sig", newline="") as file:
        for row in csv.DictReader(file):
            spent[row["customer"]] += Decimal(row["total"])
            gems[row["customer"]].add(row["item"])
    best = sorted(spent, key=lambda customer: (-spent[customer], customer))[:5]
    buyers: dict[str, int] = defaultdict(int)
    for customer in best:
        for gem in gems[customer]:
            buyers[gem] += 1
    shared = {gem for gem, count in buyers.items() if count >= 2}
    return [
        {
            "username": customer,
            "spent_money": int(spent[customer]) if spent[customer] % 1 == 0 else float(spent[customer]),
            "gems": sorted(gems[customer] & shared),
        }
        for customer in best
    ]


def test_no_dataset_answers_an_empty_list(api_client):
    assert api_client.get("/deals").json() == {"response": []}


def test_small_file_gives_the_hand_computed_answer(small_dataset, api_client):
    assert top(api_client) == SMALL_EXPECTED


def test_fewer_than_five_customers(auth_client):
    assert upload(auth_client, TWO_CUSTOMERS_CSV).status_code == 200
    assert top(auth_client) == TWO_CUSTOMERS_EXPECTED


@pytest.mark.parametrize("name", ["deals.csv", "deals_decimal_totals.csv"])
def test_real_files_match_a_brute_force_computation(auth_client, name):
    path = FILES / name if name != "deals.csv" else settings.BASE_DIR / "deals" / "fixtures" / "demo_deals.csv"
    response = upload(auth_client, path.read_bytes(), name)
    assert response.json() == {"Status": "OK"}
    expected = brute_force_top(path)
    assert len(expected) == 5
    assert top(auth_client) == expected


def test_real_deals_csv_has_all_767_rows(auth_client):
    content = (settings.BASE_DIR / "deals" / "fixtures" / "demo_deals.csv").read_bytes()
    upload(auth_client, content)
    assert Deal.objects.count() == 767
    upload_record = DealsUpload.objects.get()
    assert (upload_record.status, upload_record.rows, upload_record.user) == ("ok", 767, auth_client.user)


def test_decimal_totals_render_as_numbers(auth_client):
    upload(auth_client, (FILES / "deals_decimal_totals.csv").read_bytes())
    body = auth_client.get("/deals").content.decode()
    assert '"spent_money":' in body
    assert '"spent_money":"' not in body
    spent = {row["username"]: row["spent_money"] for row in top(auth_client)}
    assert spent["user1"] == 127100.42
    assert spent["user7"] == 38635.41


def test_cp1251_file_is_rejected_and_changes_nothing(small_dataset, api_client):
    response = upload(small_dataset, (FILES / "deals_cp1251_missing_field.csv").read_bytes())
    assert response.status_code == 400
    assert response.json() == {
        "Status": "Error",
        "Desc": "line 2: the file is not UTF-8 (byte 0xd6 at column 12); save it as UTF-8",
    }
    assert top(api_client) == SMALL_EXPECTED


def test_cp1251_file_converted_to_utf8_is_rejected_for_its_missing_field(small_dataset, api_client):
    content = (FILES / "deals_cp1251_missing_field.csv").read_bytes().decode("cp1251").encode()
    response = upload(small_dataset, content)
    assert response.json() == {"Status": "Error", "Desc": "line 34: expected 5 fields, got 4"}
    assert top(api_client) == SMALL_EXPECTED


def test_an_upload_replaces_the_previous_dataset_completely(small_dataset, api_client):
    assert upload(small_dataset, TWO_CUSTOMERS_CSV).status_code == 200
    assert top(api_client) == TWO_CUSTOMERS_EXPECTED
    assert set(Deal.objects.values_list("customer", flat=True)) == {"xavier", "yvonne"}
    assert DealsDataset.objects.filter(purged=False).count() == 1


def test_upload_needs_a_jwt(api_client):
    response = upload(api_client, SMALL_CSV)
    assert response.status_code == 401
    assert response.json() == {"Status": "Error", "Desc": "Authentication credentials were not provided."}
    assert not DealsDataset.objects.exists()


def test_get_ignores_a_bad_token(small_dataset, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert top(api_client) == SMALL_EXPECTED


@pytest.mark.parametrize("content", [pytest.param(SMALL_CSV, id="10-rows"), pytest.param(None, id="30k-rows")])
def test_get_costs_the_same_queries_whatever_the_dataset_size(
    auth_client, api_client, django_assert_num_queries, content
):
    assert upload(auth_client, content or big_csv(30_000)).status_code == 200
    cache.delete_pattern("*")  # this worker's keys only: clear() would flush every worker's
    with django_assert_num_queries(2):  # cold: current id, then the stored answer (and it is cached)
        cold = top(api_client)
    with django_assert_num_queries(1):  # warm: only the current dataset id
        assert top(api_client) == cold
    assert len(cold) == 5


def test_get_without_redis_answers_from_the_database(small_dataset, api_client, closed_port, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    # the settings fixture resets Django's cache handler, so `cache` now talks to the closed port
    assert top(api_client) == SMALL_EXPECTED
    assert upload(small_dataset, TWO_CUSTOMERS_CSV).status_code == 200
    assert top(api_client) == TWO_CUSTOMERS_EXPECTED


def test_schema_documents_both_operations(api_client):
    document = api_client.get("/schema", HTTP_ACCEPT="application/json").json()
    operations = document["paths"]["/deals"]
    assert operations["get"]["tags"] == ["deals"]
    assert operations["post"]["tags"] == ["deals"]
    upload_schema = operations["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload_schema["$ref"].endswith("DealsUploadInputRequest")
    component = document["components"]["schemas"]["DealsUploadInputRequest"]
    assert component["properties"]["deals"]["format"] == "binary"
    assert set(operations["post"]["responses"]) >= {"200", "400", "401"}
    assert operations["get"]["responses"]["200"]["content"]["application/json"]["examples"]


def test_admin_lists_uploads_and_datasets(small_dataset, admin_client):
    upload(small_dataset, "nonsense")
    DealsUploadFactory(filename="other.csv", rows=767)
    page = admin_client.get("/admin/deals/dealsupload/")
    assert page.status_code == 200
    assert b"the header must be" in page.content
    assert b"other.csv" in page.content
    assert admin_client.get("/admin/deals/dealsdataset/").status_code == 200
