from decimal import Decimal

import factory
from django.db import connection
from django.utils import timezone

from deals.models import Deal, DealsDataset, DealsUpload, deal_partition
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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # deals_deal is partitioned by dataset (an upload creates its dataset's partition); so does the factory.
        dataset_id = kwargs["dataset"].pk
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {deal_partition(dataset_id)} PARTITION OF {Deal._meta.db_table} "
                f"FOR VALUES IN ({int(dataset_id)})"
            )
        return super()._create(model_class, *args, **kwargs)
