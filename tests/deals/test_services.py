import io
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache

from deals.demo import seed
from deals.exceptions import DealsFileError
from deals.models import Deal, DealsDataset
from deals.selectors import dataset_top_customers_compute, deals_top_customers, top_customers_cache_key
from deals.services import PURGE_THREAD_NAME, dataset_replace, datasets_purge_superseded
from tests.conftest import run_in_threads
from tests.deals.conftest import SMALL_CSV, SMALL_EXPECTED, TWO_CUSTOMERS_CSV, TWO_CUSTOMERS_EXPECTED
from tests.deals.factories import DealFactory, DealsDatasetFactory

HEADER = "customer,item,total,quantity,date\n"


def generated_csv(customer_prefix: str, rows: int, *, bad_last_row: bool = False) -> bytes:
    lines = [HEADER]
    lines.extend(
        f"{customer_prefix}{n % 7},gem{n % 5},{n % 1000}.25,{n % 9 + 1},2020-01-01 00:00:{n % 60:02d}\n"
        for n in range(rows)
    )
    if bad_last_row:
        lines.append(f"{customer_prefix}0,gem0,1,zero,2020-01-01 00:00:00\n")
    return "".join(lines).encode()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_uploads_leave_exactly_one_complete_dataset():
    files = {"a": generated_csv("a", 30_000), "b": generated_csv("b", 20_000)}
    results = run_in_threads(
        *(lambda content=content: dataset_replace(file=io.BytesIO(content)) for content in files.values())
    )
    assert all(isinstance(result, DealsDataset) for result in results)
    datasets_purge_superseded()

    current = DealsDataset.objects.get(is_current=True)
    prefix = "a" if current.rows == 30_000 else "b"
    assert set(Deal.objects.values_list("dataset_id", flat=True).distinct()) == {current.pk}
    assert Deal.objects.count() == current.rows
    assert {name[0] for name in Deal.objects.values_list("customer", flat=True).distinct()} == {prefix}
    assert [row["username"][0] for row in deals_top_customers()] == [prefix] * 5


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_uploads_and_rejections_keep_one_consistent_dataset():
    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    targets = [lambda n=n: dataset_replace(file=io.BytesIO(generated_csv(f"c{n}-", 5_000))) for n in range(3)]
    targets += [lambda: dataset_replace(file=io.BytesIO(generated_csv("bad", 5_000, bad_last_row=True)))]
    results = run_in_threads(*targets)
    assert [type(result) for result in results] == [DealsDataset] * 3 + [DealsFileError]
    datasets_purge_superseded()
    current = DealsDataset.objects.get(is_current=True)
    assert current.pk in {result.pk for result in results[:3]}
    assert Deal.objects.filter(dataset=current).count() == Deal.objects.count() == 5_000
    assert not Deal.objects.filter(customer__startswith="bad").exists()


@pytest.mark.django_db(transaction=True)
def test_readers_see_the_old_or_the_new_answer_never_a_mix():
    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    content = TWO_CUSTOMERS_CSV.encode() + generated_csv("z", 100_000).split(b"\n", 1)[1]
    new_answer = None
    seen: list = []
    done = threading.Event()

    def upload():
        try:
            return dataset_replace(file=io.BytesIO(content))
        finally:
            done.set()

    def read():
        while not done.is_set():
            seen.append(deals_top_customers())
        seen.append(deals_top_customers())
        return len(seen)

    results = run_in_threads(upload, read)
    assert isinstance(results[0], DealsDataset)
    new_answer = results[0].top_customers
    assert new_answer != SMALL_EXPECTED
    assert seen[0] == SMALL_EXPECTED
    assert seen[-1] == new_answer
    assert all(answer in (SMALL_EXPECTED, new_answer) for answer in seen)


@pytest.mark.django_db(transaction=True)
def test_a_file_rejected_on_its_last_row_leaves_no_trace():
    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    with pytest.raises(DealsFileError, match='line 10002: quantity must be a positive integer, got "zero"'):
        dataset_replace(file=io.BytesIO(generated_csv("x", 10_000, bad_last_row=True)))
    assert DealsDataset.objects.count() == 1
    assert Deal.objects.count() == 10
    assert deals_top_customers() == SMALL_EXPECTED


@pytest.mark.django_db(transaction=True)
def test_commit_puts_the_new_answer_in_redis_under_the_new_version():
    first = dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    assert cache.get(top_customers_cache_key(first.pk)) == SMALL_EXPECTED
    second = dataset_replace(file=io.BytesIO(TWO_CUSTOMERS_CSV.encode()))
    assert second.pk != first.pk
    assert cache.get(top_customers_cache_key(second.pk)) == TWO_CUSTOMERS_EXPECTED
    assert deals_top_customers() == TWO_CUSTOMERS_EXPECTED
    first.refresh_from_db()
    assert (first.is_current, first.purged) == (False, True)
    assert not Deal.objects.filter(dataset=first).exists()


@pytest.mark.django_db
def test_demo_seed_loads_once():
    out = io.StringIO()
    seed(stdout=out)
    seed(stdout=out)
    assert DealsDataset.objects.get(is_current=True).rows == 767
    assert DealsDataset.objects.count() == 1
    assert out.getvalue().splitlines() == ["deals: loaded 767 demo deals", "deals: a dataset exists, left as is"]


@pytest.mark.django_db(transaction=True)
def test_background_purge_deletes_the_superseded_deals(settings):
    settings.DEALS_PURGE_IN_BACKGROUND = True
    first = dataset_replace(file=io.BytesIO(generated_csv("a", 20_000)))
    second = dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    for thread in threading.enumerate():
        if thread.name == PURGE_THREAD_NAME:
            thread.join(timeout=60)
    assert set(Deal.objects.values_list("dataset_id", flat=True).distinct()) == {second.pk}
    first.refresh_from_db()
    assert first.purged
    assert deals_top_customers() == SMALL_EXPECTED


@pytest.mark.django_db
def test_the_answer_is_the_current_datasets_stored_one_and_gets_cached(django_assert_num_queries):
    DealsDatasetFactory(is_current=False, top_customers=[{"username": "old", "spent_money": 1, "gems": []}])
    current = DealsDatasetFactory(is_current=True, top_customers=SMALL_EXPECTED)
    with django_assert_num_queries(2):
        assert deals_top_customers() == SMALL_EXPECTED
    assert cache.get(top_customers_cache_key(current.pk)) == SMALL_EXPECTED


@pytest.mark.django_db
def test_purge_keeps_the_current_dataset_and_skips_purged_ones():
    current = DealsDatasetFactory(is_current=True)
    old = DealsDatasetFactory()
    DealFactory.create_batch(3, dataset=current)
    DealFactory.create_batch(2, dataset=old)
    assert datasets_purge_superseded() == 2
    assert datasets_purge_superseded() == 0
    assert Deal.objects.filter(dataset=current).count() == 3
    old.refresh_from_db()
    assert old.purged


@pytest.mark.django_db
def test_dataset_top_customers_compute_sums_exactly():
    dataset = DealsDatasetFactory()
    DealFactory(dataset=dataset, customer="a", item="x", total=Decimal("0.10"))
    DealFactory(dataset=dataset, customer="a", item="y", total=Decimal("0.20"))
    DealFactory(dataset=dataset, customer="b", item="x", total=Decimal("0.30"))
    DealFactory(dataset=DealsDatasetFactory(), customer="c", item="x", total=Decimal("99"))
    assert dataset_top_customers_compute(dataset_id=dataset.pk) == [
        {"username": "a", "spent_money": 0.3, "gems": ["x"]},
        {"username": "b", "spent_money": 0.3, "gems": ["x"]},
    ]


@pytest.mark.django_db
def test_the_answer_keeps_its_key_order_when_read_back_from_the_database():
    dataset_replace(file=io.BytesIO(SMALL_CSV.encode()))
    cache.delete_pattern("*")
    assert [list(customer) for customer in deals_top_customers()] == [["username", "spent_money", "gems"]] * 5
