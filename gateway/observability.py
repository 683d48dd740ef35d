"""Request ids, per-route metrics, one log line per request, and the last-resort 500 answer."""

from __future__ import annotations

import logging
import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import INTERNAL_DETAIL, problem_response
from services.runtime.context import REQUEST_ID_HEADER, clean_request_id, reset_request_id, set_request_id

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "mediacenter_http_requests_total",
    "HTTP requests answered by the gateway, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "mediacenter_http_request_seconds",
    "Time from the start of an HTTP request to the end of its response body, by method and route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
UNMATCHED_ROUTE = "unmatched"
# Request headers larger than this in total are refused with 431. A bearer key, a browser's usual
# headers and tracing headers fit in a few KiB; uvicorn itself accepts far larger headers.
MAX_REQUEST_HEADER_BYTES = 16 * 1024


class RequestContextMiddleware:
    """Set the request id for the whole request, return it in X-Request-ID, and record the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        headers = dict(scope.get("headers") or ())
        raw_id = headers.get(REQUEST_ID_HEADER.encode("latin-1"), b"").decode("latin-1")
        request_id = clean_request_id(raw_id)
        token = set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        header_bytes = sum(len(name) + len(value) for name, value in scope.get("headers") or ())
        try:
            if header_bytes > MAX_REQUEST_HEADER_BYTES:
                status = 431
                response = problem_response(
                    431,
                    "request_headers_too_large",
                    "Request headers too large",
                    f"The request headers are {header_bytes} bytes; at most {MAX_REQUEST_HEADER_BYTES} are accepted. "
                    "Send fewer or shorter headers.",
                )
                await response(scope, receive, send_with_request_id)
                return
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            logger.exception("request %s %s failed", scope["method"], scope["path"])
            if response_started:
                raise
            response = problem_response(500, "internal", "Internal error", INTERNAL_DETAIL)
            await response(scope, receive, send_with_request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            HTTP_REQUESTS.labels(method=scope["method"], route=route, status=str(status)).inc()
            HTTP_SECONDS.labels(method=scope["method"], route=route).observe(elapsed)
            logger.info(
                "%s %s %d in %.1f ms",
                scope["method"],
                scope["path"],
                status,
                elapsed * 1000,
                extra={"route": route, "status": status, "duration_ms": round(elapsed * 1000, 1)},
            )
            reset_request_id(token)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE
