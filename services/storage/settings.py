"""Settings of the storage service, read once at start from MEDIACENTER_* variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from services.runtime.settings import ServiceSettings


class StorageSettings(ServiceSettings):
    # Where blobs live: a local folder or an S3 bucket.
    storage_backend: Literal["local", "s3"] = "local"
    # Folder of the local backend; required when the backend is local.
    storage_root: Path | None = Field(default=None, validate_default=True)

    # Bucket of the S3 backend; required when the backend is s3.
    s3_bucket: str | None = Field(default=None, validate_default=True)
    # Endpoint of an S3-compatible server such as MinIO; unset means AWS.
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    # Both unset means the standard AWS credential chain (environment, profile, instance role).
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # Create the bucket at start when it is missing; for development servers only.
    s3_create_bucket: bool = False

    # host:port of the catalogue, which the sweep asks which blobs records point at; unset turns the sweep off.
    catalogue_address: str | None = None
    # Seconds a blob must have existed before the sweep may remove it.
    sweep_grace_seconds: float = Field(default=3600.0, ge=0)
    # Seconds between periodic sweeps; 0 turns the periodic sweep off.
    sweep_interval_seconds: float = Field(default=600.0, ge=0)

    @field_validator("storage_root")
    @classmethod
    def _root_required_for_local(cls, root: Path | None, info: ValidationInfo) -> Path | None:
        if root is None and info.data.get("storage_backend") == "local":
            raise PydanticCustomError("missing", "MEDIACENTER_STORAGE_ROOT is required for the local backend")
        return root

    @field_validator("s3_bucket")
    @classmethod
    def _bucket_required_for_s3(cls, bucket: str | None, info: ValidationInfo) -> str | None:
        if not bucket and info.data.get("storage_backend") == "s3":
            raise PydanticCustomError("missing", "MEDIACENTER_S3_BUCKET is required for the s3 backend")
        return bucket or None
