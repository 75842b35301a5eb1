"""Reads of the deals app: the top-5 answer, computed in SQL and served from Redis by dataset version."""

from decimal import Decimal

from django.core.cache import cache
from django.db import connection

from deals.models import DealsDataset, deal_partition

TOP_CUSTOMERS = 5
CACHE_TIMEOUT = 7 * 24 * 3600

# First pass: the sum per customer (500 groups, not customers x gems); second pass: only the top five's rows.
# COLLATE "C" makes the order the code-point order, the same as Python's sorted(). {deals} is one dataset's table:
# no filter, so the planner's estimate is the table's size, even before any ANALYZE.
TOP_CUSTOMERS_SQL = f"""
WITH spent AS (
    SELECT customer, sum(total) AS spent
    FROM {{deals}}
    GROUP BY customer
), top AS (
    SELECT customer, spent
    FROM spent
    ORDER BY spent DESC, customer COLLATE "C"
    LIMIT {TOP_CUSTOMERS}
), bought AS (
    SELECT DISTINCT deal.customer, deal.item
    FROM {{deals}} AS deal
    WHERE deal.customer IN (SELECT customer FROM top)
), shared AS (
    SELECT item
    FROM bought
    GROUP BY item
    HAVING count(*) >= 2
)
SELECT top.customer,
       top.spent,
       coalesce(
           array_agg(bought.item ORDER BY bought.item COLLATE "C") FILTER (WHERE bought.item IS NOT NULL), '{{{{}}}}'
       ) AS gems
FROM top
LEFT JOIN bought ON bought.customer = top.customer AND bought.item IN (SELECT item FROM shared)
GROUP BY top.customer, top.spent
ORDER BY top.spent DESC, top.customer COLLATE "C"
"""


def money(value: Decimal) -> int | float:
    """A JSON number: an integer when the sum is whole (612, not 612.00), else e.g. 10000.18."""
    return int(value) if value == value.to_integral_value() else float(value)


def dataset_top_customers_compute(*, dataset_id: int) -> list[dict]:
    """The GET /deals answer for one dataset, aggregated in PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute(TOP_CUSTOMERS_SQL.format(deals=deal_partition(dataset_id)))
        return [
            {"username": customer, "spent_money": money(spent), "gems": list(gems)}
            for customer, spent, gems in cursor.fetchall()
        ]


def top_customers_cache_key(dataset_id: int) -> str:
    # Dataset ids are unique per database only; the name keeps two databases sharing one Redis apart.
    return f"deals:top:{connection.settings_dict['NAME']}:{dataset_id}"


def deals_top_customers() -> list[dict]:
    """The top-5 customers of the current dataset ([] before the first upload).

    The cache key holds the dataset id read from the database, so a switch of datasets can never serve a
    stale answer; one query on a hit, two on a miss (or with Redis down).
    """
    current_id = DealsDataset.objects.filter(is_current=True).values_list("pk", flat=True).first()
    if current_id is None:
        return []
    top = cache.get(top_customers_cache_key(current_id))
    if top is not None:
        return top
    current = DealsDataset.objects.filter(is_current=True).values_list("pk", "top_customers").first()
    if current is None:
        return []
    # jsonb does not keep key order; rebuild each entry so every answer reads username, spent_money, gems.
    top = [{key: customer[key] for key in ("username", "spent_money", "gems")} for customer in current[1]]
    cache.set(top_customers_cache_key(current[0]), top, CACHE_TIMEOUT)
    return top
