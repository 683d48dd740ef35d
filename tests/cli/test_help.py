"""Help text of every command: it names where values come from and the unit of each option."""

from __future__ import annotations

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
