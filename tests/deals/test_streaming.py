"""POST /deals loads the file while its body arrives (deals.multipart): what that must not change, and that it does."""

import io
import json
import random
import socket
import threading
import time

import psycopg
import pytest

from deals.models import DealsDataset, DealsUpload
from deals.multipart import PARSER_THREAD_NAME, _Spool, _SpoolReader
from tests.config.factories import UserFactory
from tests.conftest import bearer, database_url
from tests.deals.conftest import SMALL_CSV, SMALL_EXPECTED, TWO_CUSTOMERS_CSV, big_csv, csv_file, top, upload

BAD_ROW_CSV = "customer,item,total,quantity,date\nalice,Ruby,x,1,2018-12-14 08:29:52\n"


def test_a_reader_sees_every_byte_of_a_spool_written_meanwhile_and_can_read_it_again():
    data = random.Random(3).randbytes(3_000_000).replace(b"\n", b"") + b"\n" + b"line\n" * 50_000
    spool = _Spool()

    def write() -> None:
        rng = random.Random(5)
        position = 0
        while position < len(data):
            size = rng.choice([1, 100, 65_536, 300_000])
            spool.append(data[position : position + size])
            position += size
            if rng.random() < 0.01:
                time.sleep(0.001)
        spool.complete()

    writer = threading.Thread(target=write)
    writer.start()
    reader = io.BufferedReader(_SpoolReader(spool))
    first = reader.readline() + reader.read(1 << 20) + b"".join(reader)
    writer.join()
    reader.seek(0)
    assert (first, reader.read()) == (data, data)
    spool.close()


@pytest.mark.django_db
def test_a_second_file_outranks_what_is_wrong_with_the_first(small_dataset, api_client):
    files = [csv_file(BAD_ROW_CSV, "a.csv"), csv_file(SMALL_CSV, "b.csv")]
    response = small_dataset.post("/deals", {"deals": files}, format="multipart")
    assert response.json() == {"Status": "Error", "Desc": 'send one file in the "deals" field, not 2'}
    assert top(api_client) == SMALL_EXPECTED


@pytest.mark.django_db
def test_a_file_over_the_limit_outranks_what_is_wrong_with_it(small_dataset, api_client, settings):
    settings.DEALS_MAX_UPLOAD_BYTES = 60
    response = upload(small_dataset, BAD_ROW_CSV)
    size = len(BAD_ROW_CSV.encode())
    assert response.json() == {"Status": "Error", "Desc": f"the file is {size} bytes, the limit is 60 bytes"}
    assert DealsUpload.objects.filter(status="error").get().size == size
    assert top(api_client) == SMALL_EXPECTED


@pytest.mark.django_db
def test_a_file_after_other_fields_is_loaded(auth_client):
    response = auth_client.post(
        "/deals",
        {"note": "x", "other": csv_file(SMALL_CSV, "x.csv"), "deals": csv_file(TWO_CUSTOMERS_CSV)},
        format="multipart",
    )
    assert response.json() == {"Status": "OK"}
    assert DealsDataset.objects.get(is_current=True).rows == 3
    assert DealsUpload.objects.get().filename == "deals.csv"


@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_is_a_400_naming_the_problem(small_dataset, api_client):
    response = small_dataset.post("/deals", data=b"whatever", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json() == {
        "Status": "Error",
        "Desc": "Multipart form parse error - Invalid boundary in multipart: None",
    }
    assert top(api_client) == SMALL_EXPECTED


@pytest.mark.django_db
@pytest.mark.parametrize("content", [SMALL_CSV, BAD_ROW_CSV], ids=["accepted", "rejected"])
def test_no_parser_thread_outlives_its_request(auth_client, content):
    upload(auth_client, content)
    assert PARSER_THREAD_NAME not in {thread.name for thread in threading.enumerate()}


@pytest.fixture
def gunicorn_env() -> dict[str, str]:
    return {"WEB_WORKER_CLASS": "gthread"}  # the ASGI handler reads a whole body before any view runs


def copies_in_progress() -> int:
    with psycopg.connect(database_url(), autocommit=True) as observer:
        return observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY deals%'"
        ).fetchone()[0]


@pytest.mark.timeout(60)
def test_the_copy_starts_before_the_body_has_arrived(gunicorn_server):
    content = big_csv(60_000).encode()  # ~4 MB: several read blocks
    boundary = "streaming-test-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="deals"; filename="big.csv"\r\n\r\n'.encode()
    body = head + content + f"\r\n--{boundary}--\r\n".encode()
    port = int(gunicorn_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"POST /deals HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {bearer(UserFactory())}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        half = len(body) // 2
        connection.sendall(body[:half])
        deadline = time.monotonic() + 20
        while not copies_in_progress():
            assert time.monotonic() < deadline, "no COPY while half of the body is still to come"
            time.sleep(0.05)
        connection.sendall(body[half:])
        answer = b"".join(iter(lambda: connection.recv(65_536), b""))
    status, _, payload = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 200"), answer[:500]
    assert json.loads(payload) == {"Status": "OK"}
    assert DealsDataset.objects.get(is_current=True).rows == 60_000
