"""Fixtures for validation tests: a helper that writes bytes to a file and inspects it in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.validation.inspection import inspect_file
from services.validation.verdict import Kind, Verdict


@pytest.fixture
def judge(tmp_path: Path) -> Callable[..., Verdict]:
    """Return a function that inspects bytes as an upload, under a misleading name when given one."""
    counter = iter(range(1_000_000))

    def inspect(data: bytes, *, name: str = "upload.bin", expected_kind: Kind = Kind.UNKNOWN) -> Verdict:
        path = tmp_path / f"{next(counter)}-{name}"
        path.write_bytes(data)
        return inspect_file(str(path), expected_kind=expected_kind)

    return inspect
