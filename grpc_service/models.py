"""The event ids the sidecar's consumer has handled: the unique constraint makes handling idempotent."""

from django.db import models


class ConsumedEvent(models.Model):
    """One row per handled book event; a redelivered message finds its event_id here and is only acked."""

    event_id = models.UUIDField(unique=True)
    type = models.CharField(max_length=40)
    aggregate_id = models.BigIntegerField()
    consumed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_id} ({self.event_id})"
