"""The entry point: help text of every command, invalid arguments and an unreachable service."""

from __future__ import annotations

import socket

import pytest

from services.cli.main import main

COMMANDS = [
    ["upload"],
    ["search"],
    ["export-urls"],
    ["listing", "set"],
    ["listing", "show"],
    ["listing", "export-csv"],
    ["capacity"],
    ["folders"],
    ["folder", "create"],
    ["seller", "create"],
    ["seller", "set-quota"],
    ["key", "create"],
    ["key", "revoke"],
    ["sweep"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_value_sources(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])

    output = capsys.readouterr().out
    assert exited.value.code == 0
    assert "MEDIACENTER_VAR_DIR" in output
    assert "--timeout SECONDS" in output


def test_help_of_sizes_says_1024_based(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["seller", "create", "--help"])

    output = " ".join(capsys.readouterr().out.split())
    assert "1024-based" in output
    assert "1 MB = 1,048,576 bytes" in output


def test_invalid_size_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["seller", "create", "Shop", "--quota", "5 parsecs"])

    assert exited.value.code == 2
    assert "Invalid size '5 parsecs'" in capsys.readouterr().err


def test_unreachable_catalogue_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"

    exit_code = main(["seller", "create", "Shop", "--catalogue", address, "--timeout", "5"])

    error = capsys.readouterr().err
    assert exit_code == 1
    assert f"Cannot reach the catalogue service at {address}: is it running?" in error
    assert "make run" in error
