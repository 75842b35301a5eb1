from django.urls import path

from pets.api import PetListApi, PetPhotoUploadApi

urlpatterns = [
    path("pets", PetListApi.as_view(), name="pets"),
    # `str`, not `uuid`: a malformed id gets the API's JSON 404, not the router's HTML one.
    path("pets/<str:pet_id>/photo", PetPhotoUploadApi.as_view(), name="pet-photo"),
]
