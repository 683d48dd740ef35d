"""Builds the listing service's gRPC server from settings."""

from __future__ import annotations

import logging

from mediacenter.listing.v1 import listing_pb2, listing_pb2_grpc

from services.listing.catalogue import CatalogueClient
from services.listing.database import apply_migrations, open_pool
from services.listing.service import ListingService
from services.listing.servicer import ListingServicer
from services.listing.settings import ListingSettings
from services.runtime.clients import open_channel
from services.runtime.server import RunningServer, build_server

logger = logging.getLogger(__name__)

SERVICE_NAME = listing_pb2.DESCRIPTOR.services_by_name["ListingService"].full_name


def build(settings: ListingSettings) -> RunningServer:
    """Open the database pool, bring the schema up to date, connect to the catalogue and start serving.

    Stopping the returned server closes the catalogue channel and the pool.
    """
    # A request may wait for a media lock while another one holds it across a
    # catalogue call, so the lock wait is bounded by twice the call deadline.
    pool = open_pool(
        settings.database_url,
        max_size=settings.db_pool_size,
        lock_timeout_seconds=2 * settings.call_timeout_seconds,
    )
    channel = None
    try:
        apply_migrations(pool)
        channel = open_channel(settings.catalogue_address, settings.call_timeout_seconds)
        service = ListingService(pool, CatalogueClient(channel))
        servicer = ListingServicer(service)
        running = build_server(
            settings,
            service_names=[SERVICE_NAME],
            register=lambda server: listing_pb2_grpc.add_ListingServiceServicer_to_server(servicer, server),
        )
    except BaseException:
        if channel is not None:
            channel.close()
        pool.close()
        raise
    running.on_stop.append(pool.close)
    running.on_stop.append(channel.close)
    return running
