"""Builds the catalogue server from settings: pool, migrations, downstream channels, servicer."""

from __future__ import annotations

import logging

from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc

from services.catalogue.accounts import Accounts
from services.catalogue.downstream import Storage, Validation
from services.catalogue.folders import Folders
from services.catalogue.media import MediaLibrary
from services.catalogue.migrate import apply_migrations
from services.catalogue.repository import open_pool
from services.catalogue.search import MediaSearch
from services.catalogue.servicer import CatalogueServicer
from services.catalogue.settings import CatalogueSettings
from services.catalogue.upload import Uploads
from services.runtime.clients import open_channel
from services.runtime.server import RunningServer, build_server

logger = logging.getLogger(__name__)

SERVICE_NAME = catalogue_pb2.DESCRIPTOR.services_by_name["CatalogueService"].full_name


def build(settings: CatalogueSettings) -> RunningServer:
    """Apply migrations, open the pool and channels, and start the server; stop() closes them all."""
    apply_migrations(settings.database_url)
    pool = open_pool(settings.database_url, settings.db_pool_size)
    validation_channel = open_channel(settings.validation_address, settings.call_timeout_seconds)
    storage_channel = open_channel(settings.storage_address, settings.call_timeout_seconds)
    try:
        servicer = CatalogueServicer(
            accounts=Accounts(pool, settings.default_quota_bytes),
            folders=Folders(pool),
            library=MediaLibrary(pool),
            search=MediaSearch(pool),
            uploads=Uploads(pool, Validation(validation_channel), Storage(storage_channel), settings.upload_spool_dir),
            public_base_url=settings.public_base_url,
        )
        running = build_server(
            settings,
            service_names=[SERVICE_NAME],
            register=lambda server: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(servicer, server),
        )
    except Exception:
        pool.close()
        validation_channel.close()
        storage_channel.close()
        raise
    running.on_stop.extend([pool.close, validation_channel.close, storage_channel.close])
    return running
