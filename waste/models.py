"""Organizations produce waste, storages keep it, routes connect them; distances are materialized.

A route goes from a site (an organization or a storage) to a storage, so every shortest path from an
organization is the organization followed by storages only: `Distance.path` keeps those storage ids.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q


class WasteType(models.TextChoices):
    BIO = "bio", "bio waste"
    GLASS = "glass", "glass"
    PLASTIC = "plastic", "plastic"


# The order in which a disposal walks the types of one organization (and lists them in responses).
WASTE_TYPES: tuple[str, ...] = tuple(WasteType.values)


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user who may generate and dispose waste for an organization (staff may do it for every one)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waste_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization_id", "added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="waste_membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id}"


class OrganizationWaste(models.Model):
    """One waste type an organization produces: `stock` waits for disposal, `limit` is the most it holds."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="wastes")
    waste_type = models.CharField(max_length=16, choices=WasteType.choices)
    stock = models.PositiveIntegerField(default=0)
    limit = models.PositiveIntegerField()

    class Meta:
        ordering = ["organization_id", "waste_type"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "waste_type"], name="waste_org_waste_unique_type"),
            models.CheckConstraint(
                condition=Q(stock__gte=0) & Q(stock__lte=F("limit")), name="waste_org_stock_in_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.waste_type} {self.stock}/{self.limit}"


class StorageQuerySet(models.QuerySet):
    """`with_rooms()`: every storage fetched gets `room_list`, its rooms as (type, capacity, stored) in type
    order, from one more query of plain tuples. `prefetch_related("rooms")` gives the same query count but
    builds a model and a queryset per storage, which is most of the time of a page of 100."""

    _with_rooms = False

    def with_rooms(self) -> "StorageQuerySet":
        clone = self._chain()
        clone._with_rooms = True
        return clone

    def _clone(self) -> "StorageQuerySet":
        clone = super()._clone()
        clone._with_rooms = self._with_rooms
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is not None
        super()._fetch_all()
        if fetched or not self._with_rooms or not self._result_cache:
            return
        storages = [storage for storage in self._result_cache if isinstance(storage, Storage)]
        rooms: dict[int, list[tuple[str, int, int]]] = {storage.pk: [] for storage in storages}
        for storage_id, waste_type, capacity, stored in (
            StorageRoom.objects.filter(storage_id__in=list(rooms))
            .order_by("storage_id", "waste_type")
            .values_list("storage_id", "waste_type", "capacity", "stored")
        ):
            rooms[storage_id].append((waste_type, capacity, stored))
        for storage in storages:
            storage.room_list = rooms[storage.pk]


class Storage(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StorageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class StorageRoom(models.Model):
    """The room of one storage for one waste type it is equipped for."""

    storage = models.ForeignKey(Storage, on_delete=models.CASCADE, related_name="rooms")
    waste_type = models.CharField(max_length=16, choices=WasteType.choices)
    capacity = models.PositiveIntegerField()
    stored = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["storage_id", "waste_type"]
        constraints = [
            models.UniqueConstraint(fields=["storage", "waste_type"], name="waste_room_unique_type"),
            # The last line of defence against overfilling: every service also checks it before writing.
            models.CheckConstraint(
                condition=Q(stored__gte=0) & Q(stored__lte=F("capacity")), name="waste_room_stored_in_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.storage_id}:{self.waste_type} {self.stored}/{self.capacity}"

    @property
    def free(self) -> int:
        return self.capacity - self.stored


class Route(models.Model):
    """A road from an organization or a storage to a storage; `two_way` only between storages."""

    from_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="routes"
    )
    from_storage = models.ForeignKey(
        Storage, null=True, blank=True, on_delete=models.CASCADE, related_name="routes_out"
    )
    to_storage = models.ForeignKey(Storage, on_delete=models.CASCADE, related_name="routes_in")
    distance_m = models.PositiveIntegerField()
    two_way = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_organization__isnull=False, from_storage__isnull=True)
                | Q(from_organization__isnull=True, from_storage__isnull=False),
                name="waste_route_one_source",
            ),
            models.CheckConstraint(condition=~Q(from_storage=F("to_storage")), name="waste_route_no_self_loop"),
            models.CheckConstraint(
                condition=Q(two_way=False) | Q(from_storage__isnull=False), name="waste_route_two_way_between_storages"
            ),
            models.CheckConstraint(condition=Q(distance_m__gt=0), name="waste_route_distance_positive"),
            models.UniqueConstraint(
                fields=["from_organization", "to_storage"],
                condition=Q(from_organization__isnull=False),
                name="waste_route_unique_from_organization",
            ),
            models.UniqueConstraint(
                fields=["from_storage", "to_storage"],
                condition=Q(from_storage__isnull=False),
                name="waste_route_unique_from_storage",
            ),
        ]

    def __str__(self) -> str:
        source = f"o{self.from_organization_id}" if self.from_organization_id else f"s{self.from_storage_id}"
        arrow = "<->" if self.two_way else "->"
        return f"{source}{arrow}s{self.to_storage_id} {self.distance_m} m"


class TreeParent(models.Func):
    """The storage before the last one of a path (NULL for a direct road): a pair's parent in the tree."""

    template = "(%(expressions)s[cardinality(%(expressions)s) - 1])"
    output_field = models.BigIntegerField()


class Distance(models.Model):
    """The shortest directed path from an organization to a storage; no row means unreachable."""

    # Derived rows, rewritten only by `distances_recompute` under the network lock and deleted with their
    # sites (Django's CASCADE); database FK checks would triple the cost of rewriting a million pairs.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="distances", db_constraint=False, db_index=False
    )
    storage = models.ForeignKey(Storage, on_delete=models.CASCADE, related_name="distances", db_constraint=False)
    distance_m = models.BigIntegerField()
    # Storage ids after the organization, the last one being `storage`.
    path = ArrayField(models.BigIntegerField())

    class Meta:
        ordering = ["organization_id", "distance_m", "storage_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "storage"], name="waste_distance_unique_pair"),
        ]
        indexes = [
            # A disposal walks an organization's storages nearest first and stops at the first ones with room.
            models.Index(fields=["organization", "distance_m"], name="waste_distance_nearest_idx"),
            # A route change walks an organization's tree down from a pair to the pairs below it.
            models.Index(F("organization"), TreeParent("path"), name="waste_distance_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"o{self.organization_id}->s{self.storage_id} {self.distance_m} m"


class Transfer(models.Model):
    """History of disposals; names are kept so the history survives deleting a site."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers"
    )
    organization_name = models.CharField(max_length=200)
    storage = models.ForeignKey(Storage, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers")
    storage_name = models.CharField(max_length=200)
    waste_type = models.CharField(max_length=16, choices=WasteType.choices)
    amount = models.PositiveIntegerField()
    distance_m = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["waste_type", "id"], name="waste_transfer_type_idx")]

    def __str__(self) -> str:
        return f"{self.organization_name}->{self.storage_name} {self.waste_type} {self.amount}"
