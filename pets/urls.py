from django.urls import path

from pets import api

urlpatterns = [
    path("pets", api.PetCollectionApi.as_view(), name="pets"),
    # `str`, not `uuid`: a malformed id gets the API's JSON 404, not the router's HTML one.
    path("pets/<str:pet_id>/photo", api.PetPhotoUploadApi.as_view(), name="pet-photo"),
]
