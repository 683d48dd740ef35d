"""Settings of the listing service, read once at start from MEDIACENTER_* variables."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import ServiceSettings


class ListingSettings(ServiceSettings):
    """Settings of the listing service on top of the ones every service reads."""

    # PostgreSQL connection URL; the service keeps its tables in the schema "listing".
    database_url: str
    # host:port of the catalogue service, or several separated by commas.
    catalogue_address: str
    # Maximum number of open database connections.
    db_pool_size: int = Field(default=10, ge=1)
