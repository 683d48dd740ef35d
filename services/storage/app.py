"""Builds the storage service: the backend, the sweep and the gRPC server."""

from __future__ import annotations

import logging

from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

from services.runtime.clients import open_channel
from services.runtime.server import RunningServer, build_server
from services.storage.backends import open_store
from services.storage.servicer import StorageServicer
from services.storage.settings import StorageSettings
from services.storage.sweep import CatalogueReferences, PeriodicSweep, ReferencedKeys, Sweeper

logger = logging.getLogger(__name__)

SERVICE_NAME = storage_pb2.DESCRIPTOR.services_by_name["StorageService"].full_name


def build(settings: StorageSettings, referenced_keys: ReferencedKeys | None = None) -> RunningServer:
    """Start the storage service; ``referenced_keys`` replaces the catalogue client (tests pass a fake)."""
    store = open_store(settings)
    cleanups = [store.close]

    if referenced_keys is None and settings.catalogue_address:
        channel = open_channel(settings.catalogue_address, settings.call_timeout_seconds)
        cleanups.append(channel.close)
        referenced_keys = CatalogueReferences(channel)
    sweeper = Sweeper(store, referenced_keys, settings.sweep_grace_seconds) if referenced_keys else None

    servicer = StorageServicer(store, sweeper)
    running = build_server(
        settings,
        service_names=[SERVICE_NAME],
        register=lambda server: storage_pb2_grpc.add_StorageServiceServicer_to_server(servicer, server),
    )
    running.on_stop.extend(cleanups)

    if sweeper is None:
        logger.info("sweep off: set MEDIACENTER_CATALOGUE_ADDRESS to turn it on")
    elif settings.sweep_interval_seconds > 0:
        periodic = PeriodicSweep(sweeper, settings.sweep_interval_seconds)
        periodic.start()
        running.on_stop.append(periodic.stop)
    logger.info("storage service ready", extra={"backend": store.backend_name, "grpc_port": running.port})
    return running
