from django.contrib import admin

from deals.models import DealsDataset, DealsUpload


@admin.register(DealsUpload)
class DealsUploadAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "filename", "size", "rows", "status", "duration", "error")
    list_filter = ("status",)
    search_fields = ("filename", "error", "user__username")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in DealsUpload._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DealsDataset)
class DealsDatasetAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "uploaded_by", "filename", "rows", "is_current", "purged")
    list_filter = ("is_current",)
    list_select_related = ("uploaded_by",)
    readonly_fields = [field.name for field in DealsDataset._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
