"""Settings of the validation service."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import ServiceSettings


class ValidationSettings(ServiceSettings):
    # MEDIACENTER_INSPECT_TIMEOUT_SECONDS: time one file may take to inspect; a file over it is rejected.
    inspect_timeout_seconds: float = Field(default=20.0, gt=0)
    # MEDIACENTER_INSPECT_WORKERS: worker processes that inspect files in parallel, one file each.
    inspect_workers: int = Field(default=2, ge=1)
    # MEDIACENTER_INSPECT_MEMORY_LIMIT_MB: address space per worker, MiB; 0 turns the limit off.
    # The largest image the policy allows (10,000 x 10,000 px with alpha) peaks near 1.1 GiB.
    inspect_memory_limit_mb: int = Field(default=2048, ge=0)
    # MEDIACENTER_INSPECT_SPOOL_DIR: folder for the temporary copy of each upload; empty uses the system default.
    inspect_spool_dir: str = ""
