from decimal import Decimal

import factory
from django.utils import timezone

from deals.models import Deal, DealsDataset, DealsUpload
from tests.config.factories import UserFactory


class DealsDatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealsDataset

    filename = "deals.csv"
    rows = 0
    is_current = False
    top_customers = factory.LazyFunction(list)


class DealsUploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealsUpload

    user = factory.SubFactory(UserFactory)
    filename = "deals.csv"
    status = DealsUpload.Status.OK


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    dataset = factory.SubFactory(DealsDatasetFactory)
    customer = factory.Sequence(lambda n: f"customer{n}")
    item = "Рубин"
    total = Decimal("100.00")
    quantity = 1
    date = factory.LazyFunction(timezone.now)
