from django.apps import AppConfig


class WasteConfig(AppConfig):
    name = "waste"

    def ready(self) -> None:
        from waste import schema_extensions  # noqa: F401 - registers the OpenAPI extension
