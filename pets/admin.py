from django.contrib import admin

from pets.models import Pet, Photo


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

    # Deleting through the service also removes the photo files (after commit). Imported here: every process
    # loads the admin modules at start-up (export_pets too), and the services pull in Pillow.
    def delete_model(self, request, obj: Pet) -> None:
        from pets.services import pets_delete

        pets_delete(ids=[str(obj.pk)])

    def delete_queryset(self, request, queryset) -> None:
        from pets.services import pets_delete

        pets_delete(ids=[str(pk) for pk in queryset.values_list("pk", flat=True)])
