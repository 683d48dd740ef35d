"""Blob backends behind one interface; ``open_store`` picks one from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.storage.backends.base import BlobStore

if TYPE_CHECKING:
    from services.storage.settings import StorageSettings


def open_store(settings: StorageSettings) -> BlobStore:
    """Open the backend that MEDIACENTER_STORAGE_BACKEND names."""
    if settings.storage_backend == "s3":
        # Imported here so that the local backend runs without boto3 installed.
        from services.storage.backends.s3 import S3BlobStore, S3Config

        return S3BlobStore(S3Config.from_settings(settings))
    from services.storage.backends.local import LocalBlobStore

    assert settings.storage_root is not None, "the settings check requires a root for the local backend"
    return LocalBlobStore(settings.storage_root)
