"""Two copies of every process over one database, broker and bucket (scale-out issue, "Many instances").

Two gunicorns with photos in S3 (moto's server), two relays and two sidecars consuming one queue: 300 book
writes spread over both web instances are each published and handled exactly once, and a photo uploaded through
one web instance is listed and deleted through the other.
"""

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings

from books.models import OutboxEvent
from grpc_service.generated.books.v1 import books_pb2, books_pb2_grpc
from grpc_service.models import ConsumedEvent
from tests.books.factories import AuthorFactory
from tests.config.factories import UserFactory
from tests.conftest import ChildProcess, bearer, free_port, start_gunicorn, stop_gunicorn
from tests.grpc_service.fixtures import access_token, authorized_channel, wait_until
from tests.pets.factories import image_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

CONSUMED = re.compile(r"event consumed event_id=(?P<event_id>\S+) ")
CREATES, UPDATES = 200, 100


@pytest.fixture
def stack(broker, s3_new_bucket, s3_endpoint):
    """Two web instances, two relays and two sidecars, all on the test's own exchange and queue."""
    _, name = s3_new_bucket
    # The sidecars' queue exists before the first write: events published while both were still starting would
    # otherwise reach only the probe queue.
    broker.topology.declare(broker.channel)
    events = {"BOOK_EVENTS_EXCHANGE": broker.topology.exchange, "BOOK_EVENTS_QUEUE": broker.topology.queue}
    media = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    webs, children = [], []
    try:
        webs = [start_gunicorn(free_port(), **events, **media) for _ in range(2)]
        relays = [
            ChildProcess(["manage.py", "relay_events"], AMQP_URL=settings.AMQP_URL, TEST_KEEP_LOGGING="1", **events)
            for _ in range(2)
        ]
        sidecar_ports = [free_port(), free_port()]
        sidecars = [
            ChildProcess(
                ["-m", "grpc_service"],
                AMQP_URL=settings.AMQP_URL,
                GRPC_PORT=str(port),
                TEST_KEEP_LOGGING="1",  # the test reads the consumed lines
                LOG_LEVEL="INFO",
                **events,
                **media,
            )
            for port in sidecar_ports
        ]
        children = [*relays, *sidecars]
        yield webs, relays, sidecars, sidecar_ports
    finally:
        for child in children:
            child.kill()
        for web in webs:
            stop_gunicorn(web)


def test_book_writes_over_two_web_instances_are_each_handled_once(stack, broker):
    webs, relays, sidecars, sidecar_ports = stack
    author = AuthorFactory()
    headers = {"Authorization": bearer(UserFactory())}

    def create(index: int) -> int:
        payload = {"title": f"Book {index}", "published_on": "2001-01-01", "author_ids": [author.pk]}
        response = httpx.post(f"{webs[index % 2].url}/books", json=payload, headers=headers, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def update(index: int, book_id: int) -> None:
        response = httpx.patch(
            f"{webs[index % 2].url}/books/{book_id}", json={"title": f"Book {index} (2nd)"}, headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text

    with ThreadPoolExecutor(8) as pool:
        book_ids = list(pool.map(create, range(CREATES)))
        list(pool.map(update, range(UPDATES), book_ids[:UPDATES]))

    writes = CREATES + UPDATES
    assert OutboxEvent.objects.count() == writes
    assert wait_until(lambda: ConsumedEvent.objects.count() == writes, timeout=60), (
        f"{ConsumedEvent.objects.count()} handled, "
        f"{OutboxEvent.objects.filter(published_at__isnull=True).count()} unpublished",
        [child.output[-3000:] for child in (*relays, *sidecars)],
    )
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    # Published once each (the probe queue sees every message the relays sent) and handled once each (the
    # consumed lines of both sidecars together).
    published = Counter(properties.message_id for _, properties, _ in broker.drain(expect=writes))
    assert len(published) == writes
    assert set(published.values()) == {1}
    assert wait_until(lambda: sum(len(CONSUMED.findall(sidecar.output)) for sidecar in sidecars) == writes)
    handled = Counter(m for sidecar in sidecars for m in CONSUMED.findall(sidecar.output))
    assert set(handled) == {str(event_id) for event_id in OutboxEvent.objects.values_list("event_id", flat=True)}
    assert set(handled.values()) == {1}
    # Both sidecars serve the books.
    for port in sidecar_ports:
        with authorized_channel(f"127.0.0.1:{port}", access_token()) as channel:
            page = books_pb2_grpc.BookServiceStub(channel).ListBooks(
                books_pb2.ListBooksRequest(page_size=5), timeout=10
            )
        assert page.total_size == CREATES


def test_a_photo_uploaded_through_one_instance_is_served_and_deleted_through_the_other(stack, s3_new_bucket):
    (first, second), _, _, _ = stack
    client, name = s3_new_bucket
    key = {"X-API-KEY": settings.API_KEY}
    pet = httpx.post(f"{first.url}/pets", json={"name": "boy", "age": 7, "type": "dog"}, headers=key).json()
    content = image_bytes("PNG")
    upload = httpx.post(f"{first.url}/pets/{pet['id']}/photo", files={"file": ("a.png", content, "image/png")},
                        headers=key)  # fmt: skip
    assert upload.status_code == 201, upload.text

    listed = httpx.get(f"{second.url}/pets", headers=key).json()["items"]
    (photo_url,) = [photo["url"] for item in listed if item["id"] == pet["id"] for photo in item["photos"]]
    assert httpx.get(photo_url).content == content  # the pre-signed URL the other instance handed out
    assert len(client.list_objects_v2(Bucket=name).get("Contents", [])) >= 1

    deleted = httpx.request("DELETE", f"{second.url}/pets", json={"ids": [pet["id"]]}, headers=key)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted"] == 1
    assert wait_until(lambda: client.list_objects_v2(Bucket=name).get("KeyCount", 0) == 0)
