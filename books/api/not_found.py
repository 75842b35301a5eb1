"""A JSON 404 for any other path under /books and /authors (e.g. `/books/abc`), instead of Django's HTML page."""

from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.views import APIView


class UnknownPathApi(APIView):
    schema = None  # not an operation: kept out of the OpenAPI document

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authentication first: no token is still a 401
        raise NotFound()
