"""Where the command finds the gateway URL, the API key and the gRPC addresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import services
from services.cli.config import DEFAULT_GATEWAY_URL, Connection, var_dir
from services.cli.errors import EXIT_USAGE, CliError


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "MEDIACENTER_URL",
        "MEDIACENTER_API_KEY",
        "MEDIACENTER_CATALOGUE_ADDRESS",
        "MEDIACENTER_STORAGE_ADDRESS",
    ):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "var"
    folder.mkdir()
    monkeypatch.setenv("MEDIACENTER_VAR_DIR", str(folder))
    return folder


def _write_stack(var: Path, **values: str) -> None:
    (var / "stack.json").write_text(json.dumps(values))


def test_var_dir_defaults_to_repository_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDIACENTER_VAR_DIR", raising=False)

    assert var_dir() == Path(services.__file__).resolve().parents[1] / "var"


def test_url_option_wins(var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIACENTER_URL", "http://from-env:1")
    _write_stack(var, gateway_url="http://from-stack:2")

    assert Connection(url="http://from-option:3/").gateway_url() == "http://from-option:3"


def test_url_environment_before_stack_file(var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIACENTER_URL", "http://from-env:1")
    _write_stack(var, gateway_url="http://from-stack:2")

    assert Connection().gateway_url() == "http://from-env:1"


def test_url_stack_file_then_default(var: Path) -> None:
    assert Connection().gateway_url() == DEFAULT_GATEWAY_URL

    _write_stack(var, gateway_url="http://127.0.0.1:9999")

    assert Connection().gateway_url() == "http://127.0.0.1:9999"


def test_url_without_scheme_is_rejected(var: Path) -> None:
    with pytest.raises(CliError) as raised:
        Connection(url="127.0.0.1:8080").gateway_url()

    assert raised.value.exit_code == EXIT_USAGE
    assert "'127.0.0.1:8080'" in raised.value.message
    assert "http://" in raised.value.message


def test_unreadable_stack_file_is_named(var: Path) -> None:
    (var / "stack.json").write_text("{not json")

    with pytest.raises(CliError) as raised:
        Connection().gateway_url()

    assert str(var / "stack.json") in raised.value.message


def test_api_key_order(var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (var / "demo-api-key").write_text("from-file\n")
    assert Connection().resolve_api_key() == "from-file"

    monkeypatch.setenv("MEDIACENTER_API_KEY", "from-env")
    assert Connection().resolve_api_key() == "from-env"

    assert Connection(api_key="from-option").resolve_api_key() == "from-option"


def test_missing_api_key_names_sources(var: Path) -> None:
    with pytest.raises(CliError) as raised:
        Connection().resolve_api_key()

    assert "--api-key" in raised.value.message
    assert "MEDIACENTER_API_KEY" in raised.value.message
    assert str(var / "demo-api-key") in raised.value.message


def test_service_addresses_order(var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_stack(var, catalogue_address="127.0.0.1:1001", storage_address="127.0.0.1:1002")
    assert Connection().catalogue_address() == "127.0.0.1:1001"
    assert Connection().storage_address() == "127.0.0.1:1002"

    monkeypatch.setenv("MEDIACENTER_CATALOGUE_ADDRESS", "127.0.0.1:2001")
    monkeypatch.setenv("MEDIACENTER_STORAGE_ADDRESS", "127.0.0.1:2002")
    assert Connection().catalogue_address() == "127.0.0.1:2001"
    assert Connection().storage_address() == "127.0.0.1:2002"

    options = Connection(catalogue="127.0.0.1:3001", storage="127.0.0.1:3002")
    assert options.catalogue_address() == "127.0.0.1:3001"
    assert options.storage_address() == "127.0.0.1:3002"


def test_missing_service_address_is_named(var: Path) -> None:
    with pytest.raises(CliError) as raised:
        Connection().storage_address()

    assert "--storage HOST:PORT" in raised.value.message
    assert "MEDIACENTER_STORAGE_ADDRESS" in raised.value.message
