"""gRPC calls counted by method and status code, and timed, for the sidecar's metrics port."""

import time

import grpc

from config.metrics_server import GRPC_HANDLED, GRPC_LATENCY


class MetricsInterceptor(grpc.ServerInterceptor):
    """Outermost interceptor: it sees every answer, the refusals of the auth interceptor included.

    The handlers behind a method are the same few objects call after call (its own, the auth interceptor's
    refusals), so each one's observed twin is built once and kept, per method name and handler.
    """

    def __init__(self) -> None:
        self._observed: dict[tuple[str, int], tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:  # streams (reflection) are not counted
            return handler
        key = (handler_call_details.method, id(handler))
        kept = self._observed.get(key)
        if kept is not None and kept[0] is handler:
            return kept[1]
        observed = self._observe(handler, handler_call_details.method.rsplit("/", 1)[-1])
        self._observed[key] = (handler, observed)
        return observed

    @staticmethod
    def _observe(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        behavior = handler.unary_unary

        def observed(request, context):
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return behavior(request, context)
            except Exception:
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                GRPC_LATENCY.labels(method).observe(time.perf_counter() - started)
                GRPC_HANDLED.labels(method, code.name).inc()

        return grpc.unary_unary_rpc_method_handler(
            observed,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
