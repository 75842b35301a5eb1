"""Django admin for the waste app. Every write goes through the services: per-type limits and capacities are
form fields (one per waste type) handed to `organization_*` / `storage_*`; stock and stored are read-only."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from waste.models import (
    WASTE_TYPES,
    Distance,
    Membership,
    Organization,
    OrganizationWaste,
    Route,
    Storage,
    StorageRoom,
    Transfer,
)
from waste.services import (
    organization_create,
    organization_delete,
    organization_dispose,
    organization_update,
    route_create,
    route_delete,
    route_update,
    storage_create,
    storage_delete,
    storage_empty,
    storage_update,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrganizationWasteInline(ReadOnlyInline):
    model = OrganizationWaste
    fields = readonly_fields = ["waste_type", "stock", "limit"]


class StorageRoomInline(ReadOnlyInline):
    model = StorageRoom
    fields = readonly_fields = ["waste_type", "stored", "capacity"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["added_at"]


def per_type_form(model: type, related: str, amount: str, held: str) -> type[forms.ModelForm]:
    """A form with the site's name and one `<amount>_<type>` field per waste type (blank: not handled)."""
    fields = {
        f"{amount}_{waste_type}": forms.IntegerField(min_value=0, required=False, label=f"{amount} of {waste_type}")
        for waste_type in WASTE_TYPES
    }

    def __init__(self, *args, **kwargs):  # noqa: N807 - becomes the form's __init__
        forms.ModelForm.__init__(self, *args, **kwargs)
        if self.instance.pk:
            for row in getattr(self.instance, related).all():
                self.fields[f"{amount}_{row.waste_type}"].initial = getattr(row, amount)

    def amounts(self) -> dict[str, int]:
        data = self.cleaned_data
        return {t: data[f"{amount}_{t}"] for t in WASTE_TYPES if data.get(f"{amount}_{t}") is not None}

    def clean(self):
        cleaned = forms.ModelForm.clean(self)
        if self.instance.pk:  # the service checks again under lock; this only gives the admin a clear message
            for row in getattr(self.instance, related).all():
                wanted = cleaned.get(f"{amount}_{row.waste_type}") or 0
                if getattr(row, held) > wanted:
                    self.add_error(f"{amount}_{row.waste_type}", f"below the {getattr(row, held)} already held")
        return cleaned

    meta = type("Meta", (), {"model": model, "fields": ["name"]})
    return type(
        f"{model.__name__}AdminForm",
        (forms.ModelForm,),
        {**fields, "Meta": meta, "__init__": __init__, "amounts": amounts, "clean": clean},
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = per_type_form(Organization, "wastes", "limit", "stock")
    list_display = ["id", "name", "created_at"]
    search_fields = ["name"]
    inlines = [OrganizationWasteInline, MembershipInline]
    actions = ["dispose"]

    @admin.action(description="Dispose the selected organizations' stock")
    def dispose(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        moved = sum(len(organization_dispose(organization=org).transfers) for org in queryset.order_by("id"))
        self.message_user(request, f"{moved} transfers", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Organization, form: forms.ModelForm, change: bool) -> None:
        if change:
            stored = Organization.objects.get(pk=obj.pk)
            organization_update(organization=stored, name=obj.name, limits=form.amounts())
        else:
            obj.pk = organization_create(name=obj.name, limits=form.amounts()).pk

    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        organization_delete(organization=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            organization_delete(organization=organization)


@admin.register(Storage)
class StorageAdmin(admin.ModelAdmin):
    form = per_type_form(Storage, "rooms", "capacity", "stored")
    list_display = ["id", "name", "created_at"]
    search_fields = ["name"]
    inlines = [StorageRoomInline]
    actions = ["empty"]

    @admin.action(description="Empty the selected storages (recycling) and dispatch waiting waste")
    def empty(self, request: HttpRequest, queryset: QuerySet[Storage]) -> None:
        moved = sum(len(storage_empty(storage=storage)[1]) for storage in queryset.order_by("id"))
        self.message_user(request, f"{moved} transfers", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Storage, form: forms.ModelForm, change: bool) -> None:
        if change:
            _storage, moved = storage_update(
                storage=Storage.objects.get(pk=obj.pk), name=obj.name, capacity=form.amounts()
            )
        else:
            storage, moved = storage_create(name=obj.name, capacity=form.amounts())
            obj.pk = storage.pk
        if moved:
            self.message_user(request, f"{len(moved)} transfers of waiting waste", messages.INFO)

    def delete_model(self, request: HttpRequest, obj: Storage) -> None:
        storage_delete(storage=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Storage]) -> None:
        for storage in queryset:
            storage_delete(storage=storage)


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["id", "from_organization", "from_storage", "to_storage", "distance_m", "two_way"]
    list_select_related = ["from_organization", "from_storage", "to_storage"]
    raw_id_fields = ["from_organization", "from_storage", "to_storage"]

    def save_model(self, request: HttpRequest, obj: Route, form: object, change: bool) -> None:
        # The distance table must follow every route change in the same transaction.
        if change:
            route_update(route=obj, distance_m=obj.distance_m, two_way=obj.two_way)
        else:
            obj.pk = route_create(
                from_organization=obj.from_organization,
                from_storage=obj.from_storage,
                to_storage=obj.to_storage,
                distance_m=obj.distance_m,
                two_way=obj.two_way,
            )[0].pk

    def delete_model(self, request: HttpRequest, obj: Route) -> None:
        route_delete(route=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Route]) -> None:
        for route in queryset:
            route_delete(route=route)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Distance)
class DistanceAdmin(ReadOnlyAdmin):
    list_display = ["organization", "storage", "distance_m", "path"]
    list_select_related = ["organization", "storage"]
    list_filter = ["organization"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["id", "organization_name", "storage_name", "waste_type", "amount", "distance_m", "created_at"]
    list_filter = ["waste_type"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "organization", "user", "added_at"]
    list_select_related = ["organization", "user"]
    raw_id_fields = ["organization", "user"]
