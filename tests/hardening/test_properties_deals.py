"""Property: the deals top-5 answer equals a brute-force Python computation of the spec on random datasets.

Spec: the 5 customers with the largest sum of `total` (ties: username ascending, code-point order), each with
the gems bought by this customer and by at least one other of these 5, sorted; spent_money an integer when
whole. Datasets go through the real upload service (COPY into PostgreSQL) from an in-memory CSV and are read
back through the selector. Each example runs in a savepoint that is rolled back.
"""

import csv
import io
import json
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deals.selectors import deals_top_customers
from deals.services import dataset_replace

# Case, accents, spaces, quotes and commas (quoted by the CSV writer) all make distinct usernames.
CUSTOMERS = ["alice", "Alice", "bob", "b", "bo b", "Émile", "émile", "zoë", "O'Neil", "x,y", 'say "hi"', "Ж", "🦊"]
GEMS = ["Ruby", "ruby", "Opal", "Jade", "Ämber", "Topaz", "Lapis lazuli", "Saphir, blue"]
COLUMN_ORDERS = [
    ("customer", "item", "total", "quantity", "date"),
    ("date", "quantity", "total", "item", "customer"),
]


@st.composite
def totals(draw) -> tuple[int, str]:
    """(cents, text): mostly a few round values, so that sums tie often; the text varies its decimals."""
    cents = draw(st.one_of(st.sampled_from([0, 1, 50, 100, 150, 250]), st.integers(0, 10**7)))
    whole, fraction = divmod(cents, 100)
    forms = [f"{whole}.{fraction:02d}"]
    if fraction % 10 == 0:
        forms.append(f"{whole}.{fraction // 10}")
    if fraction == 0:
        forms += [str(whole), f"00{whole}"]
    return cents, draw(st.sampled_from(forms))


@st.composite
def datasets(draw) -> tuple[list, tuple[str, ...]]:
    """Rows (customer, gem, (cents, total text), quantity) of 1..9 customers, and the file's column order."""
    customers = draw(st.lists(st.sampled_from(CUSTOMERS), min_size=1, max_size=9, unique=True))
    # Half of the datasets use one total on every row: customers with as many rows then tie in the sum.
    total = st.just(draw(totals())) if draw(st.booleans()) else totals()
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from(customers), st.sampled_from(GEMS), total, st.integers(1, 9)),
            min_size=1,
            max_size=40,
        )
    )
    return rows, draw(st.sampled_from(COLUMN_ORDERS))


def deals_csv(rows, columns) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for number, (customer, gem, (_, total), quantity) in enumerate(rows):
        values = {
            "customer": customer,
            "item": gem,
            "total": total,
            "quantity": str(quantity),
            "date": f"2020-01-01 00:00:{number % 60:02d}",
        }
        writer.writerow(values[column] for column in columns)
    return out.getvalue().encode()


def brute_force_top(rows) -> list[dict]:
    spent: dict[str, int] = defaultdict(int)  # cents, exact
    bought: dict[str, set[str]] = defaultdict(set)
    for customer, gem, (cents, _), _ in rows:
        spent[customer] += cents
        bought[customer].add(gem)
    top = sorted(spent, key=lambda customer: (-spent[customer], customer))[:5]
    buyers = Counter(gem for customer in top for gem in bought[customer])
    answer = []
    for customer in top:
        whole, fraction = divmod(spent[customer], 100)
        money = whole if fraction == 0 else float(Decimal(spent[customer]) / 100)
        gems = sorted(gem for gem in bought[customer] if buyers[gem] >= 2)
        answer.append({"username": customer, "spent_money": money, "gems": gems})
    return answer


@pytest.fixture(autouse=True)
def _purge_in_the_upload(settings):
    """The purge of a superseded dataset runs in the upload itself, inside the example's savepoint."""
    settings.DEALS_PURGE_IN_BACKGROUND = False


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=datasets(), second=datasets())
def test_top_customers_equal_the_brute_force_answer(first, second):
    """Two uploads per example: the answer is that of the current (second) dataset, nothing of the first."""
    with transaction.atomic():
        for rows, columns in (first, second):
            dataset = dataset_replace(file=io.BytesIO(deals_csv(rows, columns)), filename="deals.csv")
            expected = brute_force_top(rows)
            assert dataset.rows == len(rows)
            answer = deals_top_customers()
            assert answer == expected
            # 612, not 612.0: an integer exactly when the sum is whole (== alone would accept 612.0)
            assert json.dumps(answer, sort_keys=True) == json.dumps(expected, sort_keys=True)
        transaction.set_rollback(True)
