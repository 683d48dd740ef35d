"""Builds the validation server: the inspection pool and the gRPC service around it."""

from __future__ import annotations

from mediacenter.validation.v1 import validation_pb2, validation_pb2_grpc

from services.runtime.server import RunningServer, build_server
from services.validation.policy import CURRENT_POLICY, UploadPolicy
from services.validation.servicer import ValidationServicer
from services.validation.settings import ValidationSettings
from services.validation.workers import InspectionPool

SERVICE_NAME = validation_pb2.DESCRIPTOR.services_by_name["ValidationService"].full_name


def build(settings: ValidationSettings, *, policy: UploadPolicy = CURRENT_POLICY) -> RunningServer:
    """Start the worker pool and a server on the configured port; stopping the server stops the pool."""
    pool = InspectionPool(
        workers=settings.inspect_workers,
        timeout_seconds=settings.inspect_timeout_seconds,
        memory_limit_bytes=settings.inspect_memory_limit_mb * 1024 * 1024,
        policy=policy,
        log_format=settings.log_format,
        log_level=settings.log_level,
    )
    servicer = ValidationServicer(pool, policy, settings.inspect_spool_dir)
    try:
        running = build_server(
            settings,
            service_names=[SERVICE_NAME],
            register=lambda server: validation_pb2_grpc.add_ValidationServiceServicer_to_server(servicer, server),
        )
    except BaseException:
        pool.close()
        raise
    running.on_stop.append(pool.close)
    return running
