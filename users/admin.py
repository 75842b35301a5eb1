from django.contrib import admin

from users.models import RefreshTokenFamily


@admin.register(RefreshTokenFamily)
class RefreshTokenFamilyAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username",)
    readonly_fields = ("id", "user", "created_at", "revoked_at")
