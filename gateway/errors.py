"""RFC 9457 problem details, and the one table that maps gRPC status codes to HTTP.

Every error the gateway returns is ``application/problem+json`` with ``type``,
``title``, ``status``, ``detail``, ``code`` and ``request_id``. Upload
rejections add ``errors`` (one entry per broken rule), field violations add
``invalid_params``, and media in use adds ``listing_ids``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.runtime.context import current_request_id
from services.runtime.errors import ErrorDetails

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:mediacenter:problem:"
# Seconds a client should wait before retrying when a service is unavailable.
RETRY_AFTER_UNAVAILABLE_SECONDS = 2
INTERNAL_DETAIL = "An unexpected error occurred. Report the request id to the operator."


@dataclass(frozen=True)
class HttpMapping:
    status: int
    title: str
    code: str


# The one translation of gRPC status codes to HTTP. Reasons from ErrorInfo refine
# a few entries (see ``_REASON_OVERRIDES``); codes not listed become 500.
GRPC_TO_HTTP: Mapping[grpc.StatusCode, HttpMapping] = {
    grpc.StatusCode.INVALID_ARGUMENT: HttpMapping(422, "Invalid request", "invalid_argument"),
    grpc.StatusCode.NOT_FOUND: HttpMapping(404, "Not found", "not_found"),
    grpc.StatusCode.ALREADY_EXISTS: HttpMapping(409, "Already exists", "already_exists"),
    grpc.StatusCode.FAILED_PRECONDITION: HttpMapping(409, "Conflict", "failed_precondition"),
    # The listing service is the one caller of ABORTED: a stale expected version.
    grpc.StatusCode.ABORTED: HttpMapping(412, "Version conflict", "version_conflict"),
    grpc.StatusCode.RESOURCE_EXHAUSTED: HttpMapping(422, "Capacity exceeded", "capacity_exceeded"),
    grpc.StatusCode.UNAUTHENTICATED: HttpMapping(401, "Unauthenticated", "unauthenticated"),
    grpc.StatusCode.UNAVAILABLE: HttpMapping(503, "Service unavailable", "service_unavailable"),
    grpc.StatusCode.DEADLINE_EXCEEDED: HttpMapping(504, "Gateway timeout", "timeout"),
}
_INTERNAL = HttpMapping(500, "Internal error", "internal")

_REASON_OVERRIDES: Mapping[tuple[grpc.StatusCode, str], HttpMapping] = {
    (grpc.StatusCode.RESOURCE_EXHAUSTED, "file_too_large"): HttpMapping(413, "File too large", "file_too_large"),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, "capacity_exceeded"): HttpMapping(422, "Capacity exceeded", "capacity_exceeded"),
    (grpc.StatusCode.FAILED_PRECONDITION, "media_in_use"): HttpMapping(409, "Media in use", "media_in_use"),
    (grpc.StatusCode.INVALID_ARGUMENT, "upload_rejected"): HttpMapping(422, "Upload rejected", "upload_rejected"),
}


class ApiError(Exception):
    """A problem the gateway itself detects, returned as problem details."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build an application/problem+json response carrying the current request id."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": current_request_id(),
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_CONTENT_TYPE)


def api_error_response(error: ApiError) -> JSONResponse:
    return problem_response(
        error.status, error.code, error.title, error.detail, headers=error.headers, **error.extra
    )


def mapping_for(code: grpc.StatusCode, reason: str) -> HttpMapping:
    """Return the HTTP status, title and problem code for a gRPC code and ErrorInfo reason."""
    override = _REASON_OVERRIDES.get((code, reason))
    if override is not None:
        return override
    return GRPC_TO_HTTP.get(code, _INTERNAL)


def rpc_error_response(error: grpc.RpcError) -> JSONResponse:
    """Translate a failed gRPC call into problem details, keeping internals out of the body."""
    details = ErrorDetails.from_rpc_error(error)
    reason = details.reason
    if details.code == grpc.StatusCode.RESOURCE_EXHAUSTED and (details.code, reason) not in _REASON_OVERRIDES:
        # Fall back on the Rejection's rule codes when ErrorInfo carries another reason.
        codes = {violation.code for violation in details.violations}
        reason = "file_too_large" if "file_too_large" in codes else "capacity_exceeded"
    mapping = mapping_for(details.code, reason)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}

    if mapping.status == 500:
        logger.error("a service call failed with %s: %s", details.code.name, details.message)
        return problem_response(500, mapping.code, mapping.title, INTERNAL_DETAIL)

    detail = details.message or mapping.title
    if details.violations:
        extra["errors"] = [violation_json(violation) for violation in details.violations]
        if details.code == grpc.StatusCode.INVALID_ARGUMENT:
            mapping = HttpMapping(422, "Upload rejected", "upload_rejected")
    if details.field_violations:
        extra["invalid_params"] = [{"name": name, "reason": reason} for name, reason in details.field_violations]
    if mapping.code == "media_in_use":
        listing_ids = details.metadata.get("listing_ids", "")
        extra["listing_ids"] = [listing_id for listing_id in listing_ids.split(",") if listing_id]
        # The listing service names a bounded number of listings; the count covers all of them.
        count = details.metadata.get("listing_count", "")
        extra["listing_count"] = int(count) if count.isdigit() else len(extra["listing_ids"])
    if details.code == grpc.StatusCode.UNAVAILABLE:
        headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE_SECONDS)
        detail = "A service behind the gateway is unavailable. Try again in a few seconds."
        logger.warning("a service call failed with UNAVAILABLE: %s", details.message)
    if details.code == grpc.StatusCode.DEADLINE_EXCEEDED:
        detail = "A service behind the gateway did not answer in time. Try again later."
        logger.warning("a service call timed out: %s", details.message)
    if details.code == grpc.StatusCode.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = 'Bearer realm="mediacenter"'
    if details.reason and mapping.code in ("invalid_argument", "not_found", "already_exists", "failed_precondition"):
        extra["reason"] = details.reason
    return problem_response(mapping.status, mapping.code, mapping.title, detail, headers=headers, **extra)


def violation_json(violation) -> dict[str, Any]:
    """Return one broken upload rule as JSON: code, message, measured, limit and unit."""
    return {
        "code": violation.code,
        "message": violation.message,
        "measured": _value_json(violation, "measured"),
        "limit": _value_json(violation, "limit"),
        "unit": violation.unit,
    }


def _value_json(message, field: str) -> Any:
    if not message.HasField(field):
        return None
    return json_format.MessageToDict(getattr(message, field))


async def handle_api_error(_request: Request, error: ApiError) -> JSONResponse:
    return api_error_response(error)


async def handle_rpc_error(_request: Request, error: grpc.RpcError) -> JSONResponse:
    return rpc_error_response(error)


async def handle_validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    """Return 400 for a body that is not JSON, and 422 naming each invalid field otherwise."""
    problems = error.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return problem_response(400, "malformed_request", "Malformed request", "The request body is not valid JSON.")
    invalid_params = [
        {"name": _parameter_name(problem.get("loc", ())), "reason": problem.get("msg", "invalid value")}
        for problem in problems
    ]
    names = ", ".join(param["name"] for param in invalid_params)
    return problem_response(
        422, "invalid_argument", "Invalid request", f"Invalid or missing values: {names}.",
        invalid_params=invalid_params,
    )


def _parameter_name(location: tuple) -> str:
    """Return "limit" for ("query", "limit") and "images.0" for ("body", "images", 0)."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def handle_http_exception(_request: Request, error: StarletteHTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed"}
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    detail = error.detail if isinstance(error.detail, str) else titles.get(error.status_code, "Request failed")
    return problem_response(
        error.status_code, code, titles.get(error.status_code, "Request failed"), detail,
        headers=getattr(error, "headers", None),
    )
