from django.urls import path

from waste.api.members import OrganizationMemberDetailApi, OrganizationMemberListApi
from waste.api.network import NetworkExportApi, NetworkImportApi
from waste.api.organizations import (
    OrganizationDetailApi,
    OrganizationDisposeApi,
    OrganizationGenerateApi,
    OrganizationListApi,
    OrganizationStorageListApi,
)
from waste.api.routes import RouteDetailApi, RouteListApi
from waste.api.storages import StorageDetailApi, StorageEmptyApi, StorageListApi
from waste.api.transfers import TransferListApi

ORGANIZATION = "waste/organizations/<int:organization_id>"

urlpatterns = [
    path("waste/organizations", OrganizationListApi.as_view(), name="waste-organizations"),
    path(ORGANIZATION, OrganizationDetailApi.as_view(), name="waste-organization"),
    path(f"{ORGANIZATION}/generate", OrganizationGenerateApi.as_view(), name="waste-organization-generate"),
    path(f"{ORGANIZATION}/dispose", OrganizationDisposeApi.as_view(), name="waste-organization-dispose"),
    path(f"{ORGANIZATION}/storages", OrganizationStorageListApi.as_view(), name="waste-organization-storages"),
    path(f"{ORGANIZATION}/members", OrganizationMemberListApi.as_view(), name="waste-organization-members"),
    path(
        f"{ORGANIZATION}/members/<str:username>",
        OrganizationMemberDetailApi.as_view(),
        name="waste-organization-member",
    ),
    path("waste/storages", StorageListApi.as_view(), name="waste-storages"),
    path("waste/storages/<int:storage_id>", StorageDetailApi.as_view(), name="waste-storage"),
    path("waste/storages/<int:storage_id>/empty", StorageEmptyApi.as_view(), name="waste-storage-empty"),
    path("waste/routes", RouteListApi.as_view(), name="waste-routes"),
    path("waste/routes/<int:route_id>", RouteDetailApi.as_view(), name="waste-route"),
    path("waste/transfers", TransferListApi.as_view(), name="waste-transfers"),
    path("waste/network/import", NetworkImportApi.as_view(), name="waste-network-import"),
    path("waste/network/export", NetworkExportApi.as_view(), name="waste-network-export"),
]
