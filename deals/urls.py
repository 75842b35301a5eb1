from django.urls import path

from deals.api import DealListApi

urlpatterns = [
    path("deals", DealListApi.as_view(), name="deals"),
]
