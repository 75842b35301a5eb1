from django.urls import path

from waste.api.network import RouteDetailApi, RouteListApi, StorageDetailApi, StorageEmptyApi, StorageListApi
from waste.api.organizations import (
    OrganizationDetailApi,
    OrganizationDisposeApi,
    OrganizationGenerateApi,
    OrganizationListApi,
    OrganizationStoragesApi,
)
from waste.api.transfers import TransferListApi

urlpatterns = [
    path("waste/organizations", OrganizationListApi.as_view(), name="waste-organizations"),
    path("waste/organizations/<int:organization_id>", OrganizationDetailApi.as_view(), name="waste-organization"),
    path(
        "waste/organizations/<int:organization_id>/generate",
        OrganizationGenerateApi.as_view(),
        name="waste-organization-generate",
    ),
    path(
        "waste/organizations/<int:organization_id>/dispose",
        OrganizationDisposeApi.as_view(),
        name="waste-organization-dispose",
    ),
    path(
        "waste/organizations/<int:organization_id>/storages",
        OrganizationStoragesApi.as_view(),
        name="waste-organization-storages",
    ),
    path("waste/storages", StorageListApi.as_view(), name="waste-storages"),
    path("waste/storages/<int:storage_id>", StorageDetailApi.as_view(), name="waste-storage"),
    path("waste/storages/<int:storage_id>/empty", StorageEmptyApi.as_view(), name="waste-storage-empty"),
    path("waste/routes", RouteListApi.as_view(), name="waste-routes"),
    path("waste/routes/<int:route_id>", RouteDetailApi.as_view(), name="waste-route"),
    path("waste/transfers", TransferListApi.as_view(), name="waste-transfers"),
]
