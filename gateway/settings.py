"""Gateway settings, read once at start from MEDIACENTER_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.runtime.settings import ENV_PREFIX


class GatewaySettings(BaseSettings):
    """Where the gateway listens, which services it calls, and its limits."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    # Address and port of the HTTP server. Containers set the host to 0.0.0.0.
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # host:port of each service; several replicas may be given separated by commas.
    catalogue_address: str
    listing_address: str
    storage_address: str
    # Deadline in seconds of every gRPC call except uploads.
    call_timeout_seconds: float = 10.0
    # Seconds a whole upload may take, from the first body byte to the catalogue's response.
    upload_timeout_seconds: float = 120.0
    # File holding the demo seller's API key; when it exists, GET /v1/session/demo-key returns the key.
    demo_api_key_file: Path | None = None
    # "auto" writes readable text on a terminal and JSON lines otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: str = "INFO"
    # Token buckets per seller: each refills at this many requests per minute and holds a minute's worth.
    rate_limit_uploads_per_minute: int = 600
    rate_limit_searches_per_minute: int = 1200
    # Seconds a public media id stays resolved in this process without calling the catalogue again. Other
    # gateway replicas may serve a deleted item this long. 0 calls the catalogue on every request.
    resolve_cache_seconds: float = 2.0
    # Memory in bytes for recently served media and previews. 0 turns the cache off.
    blob_cache_bytes: int = 256 * 1024 * 1024
    # Larger blobs are streamed from storage on every request instead of being cached.
    blob_cache_max_item_bytes: int = 16 * 1024 * 1024
    # Seconds that in-flight requests get to finish after SIGTERM.
    drain_seconds: float = 10.0
