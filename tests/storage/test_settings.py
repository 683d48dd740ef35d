"""Storage settings: each backend's required variable is named when it is missing."""

from __future__ import annotations

import pytest

from services.runtime.settings import load_settings
from services.storage.settings import StorageSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STORAGE_BACKEND", "STORAGE_ROOT", "S3_BUCKET", "CATALOGUE_ADDRESS"):
        monkeypatch.delenv(f"MEDIACENTER_{name}", raising=False)


def test_local_without_root_names_variable(monkeypatch, capsys):
    monkeypatch.setenv("MEDIACENTER_STORAGE_BACKEND", "local")

    with pytest.raises(SystemExit):
        load_settings(StorageSettings)

    assert "Missing required setting MEDIACENTER_STORAGE_ROOT" in capsys.readouterr().err


def test_s3_without_bucket_names_variable(monkeypatch, capsys):
    monkeypatch.setenv("MEDIACENTER_STORAGE_BACKEND", "s3")

    with pytest.raises(SystemExit):
        load_settings(StorageSettings)

    assert "Missing required setting MEDIACENTER_S3_BUCKET" in capsys.readouterr().err


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIACENTER_STORAGE_ROOT", str(tmp_path))

    settings = load_settings(StorageSettings)

    assert settings.storage_backend == "local"
    assert settings.sweep_grace_seconds == 3600
    assert settings.sweep_interval_seconds == 600
    assert settings.s3_region == "us-east-1"
    assert settings.s3_create_bucket is False
    assert settings.catalogue_address is None


def test_s3_secret_is_hidden_in_repr(monkeypatch):
    monkeypatch.setenv("MEDIACENTER_STORAGE_BACKEND", "s3")
    monkeypatch.setenv("MEDIACENTER_S3_BUCKET", "media")
    monkeypatch.setenv("MEDIACENTER_S3_SECRET_ACCESS_KEY", "very-secret-value")

    settings = load_settings(StorageSettings)

    assert "very-secret-value" not in repr(settings)
    assert settings.s3_secret_access_key.get_secret_value() == "very-secret-value"
