"""Models of the deals app: uploaded datasets, their deals, and the history of upload attempts."""

from django.conf import settings
from django.db import models


class DealsDataset(models.Model):
    """One fully loaded deals.csv. Exactly one dataset is current; GET /deals answers from it.

    `top_customers` is the GET answer, computed in SQL when the dataset is committed.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=False)
    purged = models.BooleanField(default=False, help_text="its deals were deleted after it was superseded")
    top_customers = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="deals_one_current_dataset"
            ),
        ]

    def __str__(self) -> str:
        return f"dataset {self.pk} ({self.rows} rows{', current' if self.is_current else ''})"


class Deal(models.Model):
    """One row of a deals.csv, loaded with COPY.

    The table is partitioned by dataset (migration 0004): each dataset's deals are a table of their own,
    `deal_partition(dataset_id)`, created by the upload, attached at the switch and dropped by the purge. No FK
    constraint and no index: a per-row RI trigger and index maintenance would slow COPY down, rows are written only
    together with their dataset in one transaction, and they are only ever read in bulk per dataset.
    """

    dataset = models.ForeignKey(
        DealsDataset, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    customer = models.TextField()
    item = models.TextField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    quantity = models.PositiveIntegerField()
    date = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.customer} {self.item} {self.total}"


class DealsUpload(models.Model):
    """One POST /deals attempt, successful or not (shown in admin)."""

    class Status(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.TextField(blank=True)
    duration = models.FloatField(default=0, help_text="seconds")
    dataset = models.ForeignKey(DealsDataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"upload {self.pk} {self.status} {self.filename}"


def deal_partition(dataset_id: int) -> str:
    """The table holding one dataset's deals (a partition of deals_deal once the dataset is switched to)."""
    return f"{Deal._meta.db_table}_dataset_{int(dataset_id)}"
