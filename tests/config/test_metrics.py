"""`/metrics`: request counts by route and status, and the business figures read from the database."""

import re
import urllib.request

import pytest
from django.test import override_settings

from books.models import OutboxEvent

pytestmark = pytest.mark.django_db


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of the Prometheus text `text`, or None."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = rf"^{re.escape(name)}{{{re.escape(wanted)}}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, text, flags=re.MULTILINE)
    return float(found.group(1)) if found else None


def test_requests_are_counted_by_route_pattern_and_status(client):
    before = sample(client.get("/metrics").content.decode(), "http_requests_total", method="GET", route="health",
                    status="200") or 0  # fmt: skip
    client.get("/health")
    client.get("/health")
    client.get("/books/123")  # 401: counted under its pattern, not its path
    text = client.get("/metrics").content.decode()
    assert sample(text, "http_requests_total", method="GET", route="health", status="200") == before + 2
    assert sample(text, "http_requests_total", method="GET", route="books/<int:book_id>", status="401") >= 1
    assert "books/123" not in text
    assert sample(text, "http_request_duration_seconds_count", method="GET", route="health") >= 2


def test_the_outbox_backlog_and_business_figures_come_from_the_database(client):
    OutboxEvent.objects.create(type="book.created", aggregate_id=1, payload={})
    text = client.get("/metrics").content.decode()
    assert sample(text, "outbox_unpublished_events") == 1.0
    assert sample(text, "outbox_oldest_unpublished_age_seconds") >= 0.0
    assert sample(text, "waste_transfers_total") == 0.0


@override_settings(METRICS_PUBLIC=False, METRICS_TOKEN="scrape-secret-0123456789")
def test_private_metrics_need_the_token(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_every_gunicorn_worker_counts_into_one_answer(live_gunicorn):
    for _ in range(20):  # spread over both workers
        urllib.request.urlopen(f"{live_gunicorn}/health").read()  # noqa: S310 - loopback
    with urllib.request.urlopen(f"{live_gunicorn}/metrics") as response:  # noqa: S310
        text = response.read().decode()
    assert sample(text, "http_requests_total", method="GET", route="health", status="200") >= 20
