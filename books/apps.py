from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "books"

    def ready(self) -> None:
        from books import signals  # noqa: F401 - connects the receivers
