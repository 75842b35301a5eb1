from django.contrib import admin

from grpc_service.models import ConsumedEvent


@admin.register(ConsumedEvent)
class ConsumedEventAdmin(admin.ModelAdmin):
    """Read-only: the rows are the consumer's idempotency record."""

    list_display = ["event_id", "type", "aggregate_id", "consumed_at"]
    list_filter = ["type"]
    search_fields = ["=event_id", "=aggregate_id"]
    date_hierarchy = "consumed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
