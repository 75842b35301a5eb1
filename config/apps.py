from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Project-wide plumbing; an app only so it can own the `seed_demo` command."""

    name = "config"
    verbose_name = "Project"
