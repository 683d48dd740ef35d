"""The gRPC servicer: receives the stream, hands the file to the inspection pool, returns the verdict."""

from __future__ import annotations

import logging
import time

import grpc
from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc
from prometheus_client import Counter

from services.validation.convert import KIND_FROM_PROTO, policy_to_proto, verdict_to_proto
from services.validation.policy import UploadPolicy
from services.validation.spool import spool_upload
from services.validation.verdict import Kind
from services.validation.workers import InspectionPool

logger = logging.getLogger(__name__)

VERDICTS = Counter(
    "mediacenter_validation_verdicts_total",
    "Inspected files by kind and outcome: 'accepted', or the code of each rule a rejected file broke.",
    ["kind", "outcome"],
)


class ValidationServicer(validation_pb2_grpc.ValidationServiceServicer):
    def __init__(self, pool: InspectionPool, policy: UploadPolicy, spool_dir: str) -> None:
        self._pool = pool
        self._policy = policy
        self._spool_dir = spool_dir

    def InspectMedia(self, request_iterator, context: grpc.ServicerContext) -> validation_pb2.InspectMediaResponse:
        started = time.perf_counter()
        with spool_upload(
            request_iterator,
            max_bytes=self._policy.max_upload_bytes,
            policy_version=self._policy.version,
            folder=self._spool_dir,
        ) as upload:
            received = time.perf_counter()
            expected_kind = KIND_FROM_PROTO.get(upload.header.expected_kind, Kind.UNKNOWN)
            verdict = self._pool.inspect(upload.path, expected_kind=expected_kind, sha256=upload.sha256)
        finished = time.perf_counter()

        outcomes = ["accepted"] if verdict.accepted else verdict.codes
        for outcome in outcomes:
            VERDICTS.labels(kind=verdict.kind.value, outcome=outcome).inc()
        logger.info(
            "inspected %r: %s %s, %d bytes, %s in %.0f ms (receive %.0f ms)",
            upload.header.file_name,
            verdict.kind.value,
            verdict.metadata.format or "-",
            upload.byte_size,
            "accepted" if verdict.accepted else "rejected: " + ", ".join(verdict.codes),
            (finished - received) * 1000,
            (received - started) * 1000,
            extra={"sha256": verdict.sha256, "accepted": verdict.accepted, "codes": verdict.codes},
        )
        return verdict_to_proto(verdict)

    def GetPolicy(self, request, context: grpc.ServicerContext) -> validation_pb2.Policy:
        return policy_to_proto(self._policy)
