from django.contrib import admin

from pets.models import Pet, Photo
from pets.services import pets_delete


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    readonly_fields = ["id", "file", "created_at"]
    can_delete = False


@admin.register(Pet)
class PetAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "age", "created_at", "id"]
    list_filter = ["type"]
    search_fields = ["name"]
    inlines = [PhotoInline]

    # Deleting through the service also removes the photo files (after commit).
    def delete_model(self, request, obj: Pet) -> None:
        pets_delete(ids=[str(obj.pk)])

    def delete_queryset(self, request, queryset) -> None:
        pets_delete(ids=[str(pk) for pk in queryset.values_list("pk", flat=True)])
