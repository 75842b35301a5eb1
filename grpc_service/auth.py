"""gRPC authentication: the REST API's JWT in `authorization: Bearer <access>` metadata.

Every BookService call needs a valid access token (signature, expiry, type; no user query, like REST reads); health
checks and server reflection stay open so probes and grpcurl's `list`/`describe` work. `GRPC_AUTH=none` turns the
check off for a trusted network.
"""

import threading
import time

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


NO_TOKEN = _refuse("send the access token of POST /auth/token as metadata `authorization: Bearer <access>`")
BAD_TOKEN = _refuse("the access token is invalid or expired")


class JwtAuthInterceptor(grpc.ServerInterceptor):
    """A client sends the same token on every call until it expires, so a token whose signature was checked once
    is remembered with its expiry (the same bytes verify the same way); only the expiry is checked again.

    The memory is a plain dict read without a lock (one `dict.get` is atomic); past `remembered` tokens the oldest
    remembered is forgotten, not the least recently used: no bookkeeping on the read of every call.
    """

    def __init__(self, remembered: int = 4096) -> None:
        self._verified: dict[str, float] = {}  # token -> its `exp`
        self._remembered = remembered
        self._lock = threading.Lock()  # writers only

    def intercept_service(self, continuation, handler_call_details):
        if handler_call_details.method.startswith(OPEN_METHOD_PREFIXES):
            return continuation(handler_call_details)
        token = bearer_token(handler_call_details.invocation_metadata)
        if token is None:
            return NO_TOKEN
        if not self._valid(token):
            return BAD_TOKEN
        return continuation(handler_call_details)

    def _valid(self, token: str) -> bool:
        expires = self._verified.get(token)
        if expires is None:
            try:
                expires = AccessToken(token)["exp"]
            except TokenError:
                return False
            with self._lock:
                while len(self._verified) >= self._remembered:
                    del self._verified[next(iter(self._verified))]
                self._verified[token] = expires
        return time.time() < expires
