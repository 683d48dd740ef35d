"""The gateway's gRPC channels and stubs: one channel per service, opened at start and closed at shutdown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from mediacenter.catalogue.v1 import catalogue_pb2_grpc
from mediacenter.listing.v1 import listing_pb2_grpc
from mediacenter.storage.v1 import storage_pb2_grpc

from gateway.settings import GatewaySettings
from services.runtime.clients import open_async_channel

CATALOGUE_SERVICE = "mediacenter.catalogue.v1.CatalogueService"
LISTING_SERVICE = "mediacenter.listing.v1.ListingService"
STORAGE_SERVICE = "mediacenter.storage.v1.StorageService"

# Seconds each service has to respond to the readiness health check.
READINESS_TIMEOUT_SECONDS = 2.0


@dataclass
class Backends:
    catalogue: catalogue_pb2_grpc.CatalogueServiceStub
    listing: listing_pb2_grpc.ListingServiceStub
    storage: storage_pb2_grpc.StorageServiceStub
    channels: dict[str, grpc.aio.Channel]

    @classmethod
    def open(cls, settings: GatewaySettings) -> Backends:
        timeout = settings.call_timeout_seconds
        channels = {
            CATALOGUE_SERVICE: open_async_channel(settings.catalogue_address, timeout),
            LISTING_SERVICE: open_async_channel(settings.listing_address, timeout),
            STORAGE_SERVICE: open_async_channel(settings.storage_address, timeout),
        }
        return cls(
            catalogue=catalogue_pb2_grpc.CatalogueServiceStub(channels[CATALOGUE_SERVICE]),
            listing=listing_pb2_grpc.ListingServiceStub(channels[LISTING_SERVICE]),
            storage=storage_pb2_grpc.StorageServiceStub(channels[STORAGE_SERVICE]),
            channels=channels,
        )

    async def close(self) -> None:
        await asyncio.gather(*(channel.close() for channel in self.channels.values()))

    async def unready_services(self) -> list[str]:
        """Return the services that do not report SERVING to a health check within the readiness timeout."""
        names = list(self.channels)
        results = await asyncio.gather(*(self._is_serving(name) for name in names))
        return [name for name, serving in zip(names, results) if not serving]

    async def _is_serving(self, service: str) -> bool:
        stub = health_pb2_grpc.HealthStub(self.channels[service])
        try:
            response = await stub.Check(
                health_pb2.HealthCheckRequest(service=service), timeout=READINESS_TIMEOUT_SECONDS
            )
        except grpc.RpcError:
            return False
        return response.status == health_pb2.HealthCheckResponse.SERVING
