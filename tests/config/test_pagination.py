import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.pagination import LimitOffsetPagination
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db


def paginate(query: str):
    request = Request(APIRequestFactory().get(f"/things{query}"))
    paginator = LimitOffsetPagination()
    users = UserFactory.create_batch(5)
    from django.contrib.auth import get_user_model

    page = paginator.paginate_queryset(get_user_model().objects.order_by("id"), request)
    return paginator.get_paginated_response([u.username for u in page]).data, [u.username for u in users]


@pytest.mark.parametrize(
    ("query", "expected_slice"),
    [
        ("", slice(0, 20)),
        ("?limit=2", slice(0, 2)),
        ("?limit=2&offset=2", slice(2, 4)),
        ("?offset=4", slice(4, 24)),
        ("?offset=5", slice(5, 5)),
        ("?offset=500", slice(0, 0)),
        ("?limit=100", slice(0, 100)),
        ("?limit=1&offset=0", slice(0, 1)),
    ],
)
def test_valid_limit_and_offset(query, expected_slice):
    body, usernames = paginate(query)
    assert body["count"] == 5
    assert body["items"] == usernames[expected_slice]
    assert list(body) == ["count", "items"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?limit=abc", "limit"),
        ("?limit=-1", "limit"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=1.5", "limit"),
        ("?offset=-1", "offset"),
        ("?offset=x", "offset"),
        ("?limit=&offset=1", "limit"),
    ],
)
def test_invalid_limit_or_offset_is_a_400_naming_the_parameter(query, parameter):
    with pytest.raises(ValidationError) as error:
        paginate(query)
    assert parameter in error.value.detail
    assert error.value.status_code == 400
