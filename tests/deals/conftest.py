from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

FILES = Path(__file__).parent / "files"

# Hand-computed: carol 300; alice and bob tie at 150.50 (alice first); dave 80; eve 70; frank (69.99) is 6th,
# so his Topaz does not make dave's Topaz shared and dave has no shared gems; Amber is eve's alone.
# Shared by at least two of the top 5: Ruby (alice, bob), Opal (alice, eve), Jade (bob, carol).
SMALL_CSV = """customer,item,total,quantity,date
alice,Ruby,100,1,2018-12-14 08:29:52.506166
alice,Opal,50.50,1,2018-12-14 08:30:00
bob,Ruby,120,2,2018-12-15 10:00:00
bob,Jade,30.50,1,2018-12-15 10:00:01.5
carol,Jade,300,3,2018-12-16 00:00:00
dave,Topaz,80,1,2018-12-16 00:00:00+03:00
eve,Opal,10,1,2018-12-17 12:00:00
eve,Amber,60,1,2018-12-17 12:00:00
frank,Topaz,69.99,1,2018-12-18 12:00:00
alice,Ruby,0,1,2018-12-19 12:00:00
"""
SMALL_EXPECTED = [
    {"username": "carol", "spent_money": 300, "gems": ["Jade"]},
    {"username": "alice", "spent_money": 150.5, "gems": ["Opal", "Ruby"]},
    {"username": "bob", "spent_money": 150.5, "gems": ["Jade", "Ruby"]},
    {"username": "dave", "spent_money": 80, "gems": []},
    {"username": "eve", "spent_money": 70, "gems": ["Opal"]},
]

TWO_CUSTOMERS_CSV = """customer,item,total,quantity,date
xavier,Ruby,10.25,1,2020-01-01 00:00:00
yvonne,Ruby,5,1,2020-01-01 00:00:00
yvonne,Pearl,5,1,2020-01-01 00:00:00
"""
TWO_CUSTOMERS_EXPECTED = [
    {"username": "xavier", "spent_money": 10.25, "gems": ["Ruby"]},
    {"username": "yvonne", "spent_money": 10, "gems": ["Ruby"]},
]


HEADER = "customer,item,total,quantity,date\n"


def big_csv(rows: int, newline: str = "\n") -> str:
    """More than one 1 MB read block of plain lines (the fast path)."""
    return HEADER.replace("\n", newline) + "".join(
        f"customer{n % 11},gem{n % 7},{n % 100}.5,{n % 9 + 1},2020-01-01 00:00:00.{n % 1000000:06d}{newline}"
        for n in range(rows)
    )


def csv_file(content: str | bytes, name: str = "deals.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client, content: str | bytes, name: str = "deals.csv"):
    return client.post("/deals", {"deals": csv_file(content, name)}, format="multipart")


def top(client) -> list[dict]:
    response = client.get("/deals")
    assert response.status_code == 200
    return response.json()["response"]


@pytest.fixture(autouse=True)
def _purge_in_the_request(settings):
    """Tests see the purge done when the upload returns; test_services checks the background thread."""
    settings.DEALS_PURGE_IN_BACKGROUND = False


@pytest.fixture
def small_dataset(auth_client):
    response = upload(auth_client, SMALL_CSV)
    assert response.json() == {"Status": "OK"}
    return auth_client
