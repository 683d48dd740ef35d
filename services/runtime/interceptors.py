"""The server interceptor every service installs: request id, metrics and error translation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
from grpc_status import rpc_status

from services.runtime.context import REQUEST_ID_HEADER, clean_request_id, reset_request_id, set_request_id
from services.runtime.errors import Cancelled, DomainError, ErrorDetails
from services.runtime.metrics import RPC_HANDLED, RPC_SECONDS

logger = logging.getLogger(__name__)

# Downstream failures that mean "try again later" rather than a bug here.
_PASS_THROUGH_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


class ServiceInterceptor(grpc.ServerInterceptor):
    """Sets the request id, records metrics and maps every exception to a gRPC status in one place."""

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        metadata = dict(handler_call_details.invocation_metadata or ())
        request_id = clean_request_id(metadata.get(REQUEST_ID_HEADER))

        if handler.response_streaming:
            behaviour = handler.unary_stream or handler.stream_stream
            wrapped = _wrap_streaming(behaviour, method, request_id)
            factory = grpc.stream_stream_rpc_method_handler if handler.request_streaming else grpc.unary_stream_rpc_method_handler
        else:
            behaviour = handler.unary_unary or handler.stream_unary
            wrapped = _wrap_unary(behaviour, method, request_id)
            factory = grpc.stream_unary_rpc_method_handler if handler.request_streaming else grpc.unary_unary_rpc_method_handler
        return factory(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _wrap_unary(behaviour: Callable, method: str, request_id: str) -> Callable:
    def handle(request: Any, context: grpc.ServicerContext) -> Any:
        token = set_request_id(request_id)
        context.set_trailing_metadata(((REQUEST_ID_HEADER, request_id),))
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            return behaviour(request, context)
        except Exception as error:
            status = _status_for(error, context, method)
            if status is None:
                raise
            code = status.code
            context.abort_with_status(status)
        finally:
            _record(method, code, started)
            reset_request_id(token)

    return handle


def _wrap_streaming(behaviour: Callable, method: str, request_id: str) -> Callable:
    def handle(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        token = set_request_id(request_id)
        context.set_trailing_metadata(((REQUEST_ID_HEADER, request_id),))
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            yield from behaviour(request, context)
        except Exception as error:
            status = _status_for(error, context, method)
            if status is None:
                raise
            code = status.code
            context.abort_with_status(status)
        finally:
            _record(method, code, started)
            reset_request_id(token)

    return handle


def _status_for(error: Exception, context: grpc.ServicerContext, method: str) -> grpc.Status | None:
    """Return the status an exception ends the call with, or None when the servicer already aborted."""
    if isinstance(error, DomainError):
        if error.status_code == grpc.StatusCode.INTERNAL:
            logger.error("%s failed: %s", method, error.message, extra={"reason": error.reason})
        return rpc_status.to_status(error.to_status())
    if isinstance(error, grpc.RpcError) and callable(getattr(error, "code", None)):
        details = ErrorDetails.from_rpc_error(error)
        if details.code in _PASS_THROUGH_CODES:
            logger.warning("%s: a downstream call failed with %s: %s", method, details.code.name, details.message)
            return rpc_status.to_status(details.to_domain_error().to_status())
    if context.code() not in (None, grpc.StatusCode.OK):
        return None
    if not context.is_active():
        # The client cancelled the call or its deadline passed, and reading the request stream then
        # raises a bare RpcError. No client remains to read a status, so this is no server error.
        logger.info("%s ended early: the client cancelled the call or its deadline passed", method)
        return rpc_status.to_status(Cancelled("call_cancelled", "The call was cancelled.").to_status())
    logger.exception("%s failed with an unexpected error", method)
    internal = DomainError("internal", "Internal error. Report the request id to the operator.")
    return rpc_status.to_status(internal.to_status())


def _record(method: str, code: grpc.StatusCode, started: float) -> None:
    RPC_HANDLED.labels(method=method, code=code.name).inc()
    RPC_SECONDS.labels(method=method).observe(time.perf_counter() - started)
