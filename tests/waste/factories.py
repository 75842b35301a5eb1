import factory

from waste.models import Organization, OrganizationWaste, Storage, StorageRoom, Transfer


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n:04d}")


class OrganizationWasteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationWaste

    organization = factory.SubFactory(OrganizationFactory)
    waste_type = "plastic"
    limit = 100
    stock = 0


class StorageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Storage

    name = factory.Sequence(lambda n: f"Storage {n:04d}")


class StorageRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorageRoom

    storage = factory.SubFactory(StorageFactory)
    waste_type = "plastic"
    capacity = 100
    stored = 0


class TransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transfer

    organization = factory.SubFactory(OrganizationFactory)
    organization_name = factory.SelfAttribute("organization.name")
    storage = factory.SubFactory(StorageFactory)
    storage_name = factory.SelfAttribute("storage.name")
    waste_type = "plastic"
    amount = 5
    distance_m = 100
