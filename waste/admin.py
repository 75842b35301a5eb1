"""Django admin for the waste app; writes that change the network go through the services."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from waste import services
from waste.models import Distance, Organization, OrganizationWaste, Route, Storage, StorageRoom, Transfer


class OrganizationWasteInline(admin.TabularInline):
    model = OrganizationWaste
    extra = 0


class StorageRoomInline(admin.TabularInline):
    model = StorageRoom
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    search_fields = ["name"]
    inlines = [OrganizationWasteInline]
    actions = ["dispose"]

    @admin.action(description="Dispose the selected organizations' stock")
    def dispose(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        moved = sum(len(services.organization_dispose(organization=org).transfers) for org in queryset.order_by("id"))
        self.message_user(request, f"{moved} transfers", messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        services.organization_delete(organization=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            services.organization_delete(organization=organization)


@admin.register(Storage)
class StorageAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    search_fields = ["name"]
    inlines = [StorageRoomInline]
    actions = ["empty"]

    @admin.action(description="Empty the selected storages (recycling) and dispatch pending waste")
    def empty(self, request: HttpRequest, queryset: QuerySet[Storage]) -> None:
        moved = sum(len(services.storage_empty(storage=storage)[1]) for storage in queryset.order_by("id"))
        self.message_user(request, f"{moved} transfers", messages.SUCCESS)

    def save_related(self, request: HttpRequest, form: object, formsets: object, change: bool) -> None:
        # Rooms edited inline may add capacity: dispatch pending waste in the admin's transaction.
        super().save_related(request, form, formsets, change)
        services.network_lock(shared=False)
        moved = services.dispatch_pending()
        if moved:
            self.message_user(request, f"{len(moved)} transfers of pending waste", messages.INFO)

    def delete_model(self, request: HttpRequest, obj: Storage) -> None:
        services.storage_delete(storage=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Storage]) -> None:
        for storage in queryset:
            services.storage_delete(storage=storage)


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["id", "from_organization", "from_storage", "to_storage", "distance_m", "two_way"]
    list_select_related = ["from_organization", "from_storage", "to_storage"]
    raw_id_fields = ["from_organization", "from_storage", "to_storage"]

    def save_model(self, request: HttpRequest, obj: Route, form: object, change: bool) -> None:
        # The distance table must follow every route change in the same transaction.
        if change:
            services.route_update(route=obj, distance_m=obj.distance_m, two_way=obj.two_way)
        else:
            obj.pk = services.route_create(
                from_organization=obj.from_organization,
                from_storage=obj.from_storage,
                to_storage=obj.to_storage,
                distance_m=obj.distance_m,
                two_way=obj.two_way,
            )[0].pk

    def delete_model(self, request: HttpRequest, obj: Route) -> None:
        services.route_delete(route=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Route]) -> None:
        for route in queryset:
            services.route_delete(route=route)


@admin.register(Distance)
class DistanceAdmin(admin.ModelAdmin):
    list_display = ["organization", "storage", "distance_m", "path"]
    list_select_related = ["organization", "storage"]
    list_filter = ["organization"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["id", "organization_name", "storage_name", "waste_type", "amount", "distance_m", "created_at"]
    list_filter = ["waste_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
