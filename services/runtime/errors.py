"""Domain errors and their one translation to gRPC status codes with rich details.

Domain code raises a ``DomainError`` subclass with a stable reason code and a
message a user can act on. The server interceptor turns it into a
google.rpc.Status carrying an ErrorInfo (reason and metadata), a BadRequest
(field violations) and, for upload rejections, a mediacenter Rejection.
Clients read the same details back with ``ErrorDetails.from_rpc_error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from mediacenter.common.v1 import common_pb2

ERROR_DOMAIN = "mediacenter"
STATUS_DETAILS_KEY = "grpc-status-details-bin"


class DomainError(Exception):
    """An expected failure with a stable reason code and a message safe to show to users."""

    status_code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        field_violations: Iterable[tuple[str, str]] = (),
        violations: Iterable[common_pb2.Violation] = (),
        metadata: Mapping[str, str] | None = None,
        policy_version: str = "",
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field_violations = list(field_violations)
        self.violations = list(violations)
        self.metadata = dict(metadata or {})
        self.policy_version = policy_version

    def to_status(self) -> status_pb2.Status:
        details = []
        info = error_details_pb2.ErrorInfo(reason=self.reason, domain=ERROR_DOMAIN, metadata=self.metadata)
        details.append(_pack(info))
        if self.field_violations:
            bad_request = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=name, description=text)
                    for name, text in self.field_violations
                ]
            )
            details.append(_pack(bad_request))
        if self.violations:
            rejection = common_pb2.Rejection(violations=self.violations, policy_version=self.policy_version)
            details.append(_pack(rejection))
        return status_pb2.Status(code=self.status_code.value[0], message=self.message, details=details)


class InvalidArgument(DomainError):
    status_code = grpc.StatusCode.INVALID_ARGUMENT


class NotFound(DomainError):
    status_code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(DomainError):
    status_code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(DomainError):
    status_code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(DomainError):
    status_code = grpc.StatusCode.ABORTED


class OutOfRange(DomainError):
    status_code = grpc.StatusCode.OUT_OF_RANGE


class ResourceExhausted(DomainError):
    status_code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unauthenticated(DomainError):
    status_code = grpc.StatusCode.UNAUTHENTICATED


class Unavailable(DomainError):
    status_code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceeded(DomainError):
    status_code = grpc.StatusCode.DEADLINE_EXCEEDED


class Cancelled(DomainError):
    status_code = grpc.StatusCode.CANCELLED


def _pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


@dataclass
class ErrorDetails:
    """The parts of a failed call's status that callers act on."""

    code: grpc.StatusCode
    message: str
    reason: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    field_violations: list[tuple[str, str]] = field(default_factory=list)
    violations: list[common_pb2.Violation] = field(default_factory=list)
    policy_version: str = ""

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> ErrorDetails:
        """Read the status code, message and rich details of a failed call (sync or asyncio)."""
        code = error.code() if callable(getattr(error, "code", None)) else grpc.StatusCode.UNKNOWN
        message = error.details() if callable(getattr(error, "details", None)) else str(error)
        details = cls(code=code or grpc.StatusCode.UNKNOWN, message=message or "")
        trailing = error.trailing_metadata() if callable(getattr(error, "trailing_metadata", None)) else None
        for key, value in trailing or ():
            if key == STATUS_DETAILS_KEY:
                details._read_status(value)
        return details

    def _read_status(self, raw: bytes) -> None:
        status = status_pb2.Status.FromString(raw)
        for packed in status.details:
            if packed.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                packed.Unpack(info)
                self.reason = info.reason
                self.metadata = dict(info.metadata)
            elif packed.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                packed.Unpack(bad_request)
                self.field_violations = [(v.field, v.description) for v in bad_request.field_violations]
            elif packed.Is(common_pb2.Rejection.DESCRIPTOR):
                rejection = common_pb2.Rejection()
                packed.Unpack(rejection)
                self.violations = list(rejection.violations)
                self.policy_version = rejection.policy_version

    def to_domain_error(self) -> DomainError:
        """Rebuild a downstream failure as a domain error so it passes on unchanged."""
        error_class = _ERROR_CLASS_BY_CODE.get(self.code, DomainError)
        error = error_class(
            self.reason or self.code.name.lower(),
            self.message,
            field_violations=self.field_violations,
            violations=self.violations,
            metadata=self.metadata,
            policy_version=self.policy_version,
        )
        if error_class is DomainError:
            error.status_code = self.code
        return error


_ERROR_CLASS_BY_CODE: dict[grpc.StatusCode, type[DomainError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: Aborted,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRange,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.CANCELLED: Cancelled,
}
