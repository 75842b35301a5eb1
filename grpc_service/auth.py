"""gRPC authentication: the REST API's JWT in `authorization: Bearer <access>` metadata.

Every BookService call needs a valid access token (signature, expiry, type; no user query, like REST reads); health
checks and server reflection stay open so probes and grpcurl's `list`/`describe` work. `GRPC_AUTH=none` turns the
check off for a trusted network.
"""

import grpc
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

OPEN_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def bearer_token(metadata: tuple[tuple[str, str], ...] | None) -> str | None:
    for key, value in metadata or ():
        if key == "authorization":
            scheme, _, token = value.partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _refuse(message: str) -> grpc.RpcMethodHandler:
    def abort(request, context):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    return grpc.unary_unary_rpc_method_handler(abort)


class JwtAuthInterceptor(grpc.ServerInterceptor):
    def intercept_service(self, continuation, handler_call_details):
        if handler_call_details.method.startswith(OPEN_METHOD_PREFIXES):
            return continuation(handler_call_details)
        token = bearer_token(handler_call_details.invocation_metadata)
        if token is None:
            return _refuse("send the access token of POST /auth/token as metadata `authorization: Bearer <access>`")
        try:
            AccessToken(token)
        except TokenError:
            return _refuse("the access token is invalid or expired")
        return continuation(handler_call_details)
