"""Settings of the catalogue service, read once at start."""

from __future__ import annotations

import tempfile

from services.runtime.settings import ServiceSettings

FIVE_GIB = 5 * 1024 * 1024 * 1024


class CatalogueSettings(ServiceSettings):
    """The catalogue's own MEDIACENTER_* variables on top of the shared ones."""

    # PostgreSQL URL; the service keeps its tables in the "catalogue" schema.
    database_url: str
    # host:port of the validation service (several separated by commas for replicas).
    validation_address: str
    # host:port of the storage service (several separated by commas for replicas).
    storage_address: str
    # Base of the public media URLs: <base>/media/<id>/<file name>.
    public_base_url: str = "http://127.0.0.1:8080"
    # Quota of a new seller in bytes when CreateSeller gives none.
    default_quota_bytes: int = FIVE_GIB
    # Maximum number of pooled database connections.
    db_pool_size: int = 10
    # Folder where uploads are spooled before validation; "" uses the system temporary folder.
    upload_spool_dir: str = tempfile.gettempdir()
