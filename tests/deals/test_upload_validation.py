"""Upload validation: every way a deals.csv can be wrong gets an exact Desc and changes nothing."""

import pytest

from deals.models import Deal, DealsDataset, DealsUpload
from tests.deals.conftest import (
    HEADER,
    SMALL_CSV,
    SMALL_EXPECTED,
    TWO_CUSTOMERS_CSV,
    big_csv,
    csv_file,
    top,
    upload,
)

pytestmark = pytest.mark.django_db

GOOD_ROW = "alice,Ruby,100,1,2018-12-14 08:29:52.506166\n"


@pytest.mark.parametrize(
    ("content", "desc"),
    [
        pytest.param(b"", "line 1: the file is empty", id="empty"),
        pytest.param(HEADER, "line 2: the file has a header but no deals", id="header-only"),
        pytest.param(
            (HEADER + "bob,Рубин,1,1,2018-12-14 08:29:52\n").encode("cp1251"),
            "line 2: the file is not UTF-8 (byte 0xd0 at column 5); save it as UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            "customer,item,total,quantity\n" + "a,b,1,1\n",
            "line 1: the header must be customer,item,total,quantity,date (any order): missing date",
            id="header-missing-column",
        ),
        pytest.param(
            "customer,item,total,quantity,date,note\n" + GOOD_ROW,
            'line 1: the header must be customer,item,total,quantity,date (any order): unexpected "note"',
            id="header-extra-column",
        ),
        pytest.param(
            "customer,item,total,quantity,customer\n" + GOOD_ROW,
            "line 1: the header must be customer,item,total,quantity,date (any order): missing date; "
            "duplicated customer",
            id="header-duplicated-column",
        ),
        pytest.param(
            "Customer,item,total,quantity,date\n" + GOOD_ROW,
            "line 1: the header must be customer,item,total,quantity,date (any order): missing customer; "
            'unexpected "Customer"',
            id="header-wrong-name",
        ),
        pytest.param(
            HEADER + GOOD_ROW + "bob,Ruby,1,2018-12-14 08:29:52\n",
            "line 3: expected 5 fields, got 4",
            id="too-few-fields",
        ),
        pytest.param(
            HEADER + "bob,Ruby,1,1,2018-12-14 08:29:52,x\n", "line 2: expected 5 fields, got 6", id="too-many-fields"
        ),
        pytest.param(
            HEADER + ",Ruby,1,1,2018-12-14 08:29:52\n", "line 2: customer must not be empty", id="empty-customer"
        ),
        pytest.param(HEADER + "bob,  ,1,1,2018-12-14 08:29:52\n", "line 2: item must not be empty", id="blank-item"),
        *[
            pytest.param(
                HEADER + f'bob,Ruby,"{total}",1,2018-12-14 08:29:52\n',
                f"line 2: total must be a non-negative number with at most 2 decimals and 12 integer digits, "
                f'got "{total}"',
                id=f"total-{total or 'empty'}",
            )
            for total in ["", "-1", "abc", "1.234", "1,5", "1e3", "NaN", "1234567890123", ".5"]
        ],
        *[
            pytest.param(
                HEADER + GOOD_ROW * 16 + f"bob,Ruby,1,{quantity},2018-12-14 08:29:52\n",
                f'line 18: quantity must be a positive integer, got "{quantity}"',
                id=f"quantity-{quantity or 'empty'}",
            )
            for quantity in ["x", "", "0", "-2", "1.5", "99999999999"]
        ],
        *[
            pytest.param(
                HEADER + f"bob,Ruby,1,1,{date}\n",
                f'line 2: date must be an ISO date-time "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]", got "{date}"',
                id=f"date-{date or 'empty'}",
            )
            for date in ["", "yesterday", "2018-12-14", "14.12.2018 08:29:52", "2018-12-14 08:29"]
        ],
        pytest.param(
            HEADER + "bob,Ruby,1,1,2018-13-14 08:29:52\n",
            'line 2: date is not a valid date-time (month must be in 1..12), got "2018-13-14 08:29:52"',
            id="date-month-13",
        ),
        pytest.param(
            HEADER + 'bob,"Ruby,1,1,2018-12-14 08:29:52\n',
            "line 2: malformed CSV (unexpected end of data)",
            id="unclosed-quote",
        ),
    ],
)
def test_bad_file_is_rejected_and_the_previous_dataset_still_answers(small_dataset, api_client, content, desc):
    response = upload(small_dataset, content)
    assert response.status_code == 400
    assert response.json() == {"Status": "Error", "Desc": desc}
    assert top(api_client) == SMALL_EXPECTED
    assert DealsDataset.objects.filter(is_current=True).get().rows == 10
    assert Deal.objects.count() == 10
    assert DealsUpload.objects.filter(status="error").get().error == desc


def test_missing_field_is_rejected(small_dataset, api_client):
    response = small_dataset.post("/deals", {"file": csv_file(SMALL_CSV)}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"Status": "Error", "Desc": 'the "deals" file field is required (multipart/form-data)'}
    assert top(api_client) == SMALL_EXPECTED


def test_request_far_over_the_limit_is_refused_before_reading_the_file(small_dataset, api_client, settings):
    settings.DEALS_MAX_UPLOAD_BYTES = 100
    content = big_csv(2_000)
    response = upload(small_dataset, content)
    desc = response.json()["Desc"]
    assert response.status_code == 400
    assert desc.startswith("the request is ")
    assert desc.endswith(" bytes, the file limit is 100 bytes")
    assert int(desc.split()[3]) > len(content)
    assert top(api_client) == SMALL_EXPECTED
    assert DealsUpload.objects.filter(status="error").get().error == desc


def test_file_over_the_size_limit_is_rejected(small_dataset, api_client, settings):
    settings.DEALS_MAX_UPLOAD_BYTES = 100
    response = upload(small_dataset, TWO_CUSTOMERS_CSV)
    size = len(TWO_CUSTOMERS_CSV.encode())
    assert response.json() == {"Status": "Error", "Desc": f"the file is {size} bytes, the limit is 100 bytes"}
    assert top(api_client) == SMALL_EXPECTED


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: text.rstrip("\n"), id="no-final-newline"),
        pytest.param(lambda text: "\ufeff" + text, id="bom"),
        pytest.param(lambda text: text + "\n\n", id="trailing-blank-lines"),
        pytest.param(
            lambda text: (
                "date,quantity,total,item,customer\n"
                + "".join(
                    ",".join(reversed(line.split(","))) + "\n" if "," in line else "" for line in text.splitlines()[1:]
                )
            ),
            id="columns-in-another-order",
        ),
    ],
)
def test_equivalent_encodings_of_the_small_file(auth_client, transform):
    assert upload(auth_client, transform(SMALL_CSV)).json() == {"Status": "OK"}
    assert top(auth_client) == SMALL_EXPECTED


def test_quoted_fields_with_commas_and_newlines(auth_client):
    content = (
        HEADER
        + '"Smith, John","Ruby, ""star"" cut",100.5,1,2018-12-14 08:29:52\r\n'
        + '"Doe\nJane","Ruby, ""star"" cut",10,1,2018-12-14 08:29:52\r\n'
        + "x,y\\z\t,1,1,2018-12-14 08:29:52\r\n"
    )
    assert upload(auth_client, content).json() == {"Status": "OK"}
    assert top(auth_client) == [
        {"username": "Smith, John", "spent_money": 100.5, "gems": ['Ruby, "star" cut']},
        {"username": "Doe\nJane", "spent_money": 10, "gems": ['Ruby, "star" cut']},
        {"username": "x", "spent_money": 1, "gems": []},
    ]


@pytest.mark.parametrize(
    ("tail", "desc"),
    [
        pytest.param(
            "bob,Ruby,1,1,2018-02-30 10:00:00\n",
            'line 30002: date is not a valid date-time (day is out of range for month), got "2018-02-30 10:00:00"',
            id="only-postgres-sees-february-30",
        ),
        pytest.param(
            "bob,Ruby,1,1,2018-12-14 10:00:00+16:00\n",
            'line 30002: date has a UTC offset beyond ±15:59, got "2018-12-14 10:00:00+16:00"',
            id="offset-out-of-range",
        ),
        pytest.param(
            "bob,Ruby,1,1,2018-12-14 25:00:00\n",
            'line 30002: date is not a valid date-time (hour must be in 0..23), got "2018-12-14 25:00:00"',
            id="hour-25",
        ),
        pytest.param(
            "bob,Ru\x00by,1,1,2018-12-14 10:00:00\n", "line 30002: the file contains a NUL character", id="nul"
        ),
        pytest.param(
            'bob,"Ruby\n\n,1,1,2018-12-14 10:00:00\n',
            "line 30004: malformed CSV (unexpected end of data)",
            id="unclosed-quote-after-blocks",
        ),
    ],
)
def test_errors_after_the_first_blocks_name_the_exact_line(small_dataset, api_client, tail, desc):
    response = upload(small_dataset, big_csv(30_000) + tail)
    assert response.json() == {"Status": "Error", "Desc": desc}
    assert top(api_client) == SMALL_EXPECTED
    assert Deal.objects.count() == 10


def test_not_utf8_after_the_first_blocks_names_the_exact_line(small_dataset):
    content = big_csv(30_000).encode() + "bob,Рубин,1,1,2018-12-14 10:00:00\n".encode("cp1251")
    response = upload(small_dataset, content)
    assert response.json()["Desc"] == "line 30002: the file is not UTF-8 (byte 0xd0 at column 5); save it as UTF-8"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_big_file_with_quoted_rows_and_blank_lines_after_the_first_blocks(auth_client, newline):
    content = (
        big_csv(30_000, newline)
        + f'"Smith, John","Ruby, cut",100.5,1,2018-12-14 08:29:52{newline}'
        + f"plain,gem1,1,1,2018-12-14 08:29:52{newline}"
        + f'"multi{newline}line",gem2,1,1,2018-12-14 08:29:52{newline}{newline}{newline}'
    )
    assert upload(auth_client, content).json() == {"Status": "OK"}
    assert Deal.objects.count() == 30_003
    assert Deal.objects.filter(customer="Smith, John", item="Ruby, cut").exists()
    assert Deal.objects.filter(customer=f"multi{newline}line").exists()
    assert DealsUpload.objects.get().rows == 30_003


def test_unicode_line_separators_stay_inside_fields(auth_client):
    content = (
        big_csv(25_000)
        + '"quoted",gem\u2028x,1,1,2018-12-14 08:29:52\nname\x1cwith\x85seps,gem1,1,1,2018-12-14 08:29:52\n'
    )
    assert upload(auth_client, content).json() == {"Status": "OK"}
    assert Deal.objects.filter(item="gem\u2028x").exists()
    assert Deal.objects.filter(customer="name\x1cwith\x85seps").exists()
    assert Deal.objects.count() == 25_002


@pytest.mark.parametrize(
    ("row", "accepted"),
    [
        ("\xa0,gem1,1,1,2018-12-14 08:29:52", True),  # a non-ASCII blank is a name on both paths
        ("bob,gem1,1,1,2018-12-14 08:29:52+15:59", True),
        ("bob,gem1,1,1,0000-01-01 00:00:00", False),
    ],
)
def test_fast_and_slow_paths_agree(auth_client, row, accepted):
    fast = HEADER + row + "\n"
    first, rest = row.split(",", 1)
    slow = HEADER + f'"{first}",{rest}\n'  # a quoted field: csv.reader and the Python rules
    assert (upload(auth_client, fast).status_code == 200) is accepted
    assert (upload(auth_client, slow).status_code == 200) is accepted


def test_a_line_longer_than_1_mb_is_rejected(auth_client):
    content = HEADER + "bob," + "x" * (3 << 20)
    assert upload(auth_client, content).json() == {"Status": "Error", "Desc": "line 2: longer than 1048576 bytes"}


def test_mixed_line_endings_are_accepted(auth_client):
    content = big_csv(25_000) + "x,gem1,1,1,2018-12-14 08:29:52\r\n" + big_csv(25_000, "\r\n").split("\r\n", 1)[1]
    assert upload(auth_client, content).json() == {"Status": "OK"}
    assert Deal.objects.count() == 50_001
