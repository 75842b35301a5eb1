from django.apps import AppConfig


class GrpcServiceConfig(AppConfig):
    """The gRPC sidecar; an app so the event consumer can keep the ids it has handled in PostgreSQL."""

    name = "grpc_service"
    verbose_name = "gRPC sidecar"
