from django.urls import path

from deals.api import DealsApi

urlpatterns = [
    path("deals", DealsApi.as_view(), name="deals"),
]
