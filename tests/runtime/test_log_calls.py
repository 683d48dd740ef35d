"""Log calls across the code base pass only extra fields that logging accepts."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}


def _extra_keys(tree: ast.AST):
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in LOG_METHODS:
            continue
        for keyword in node.keywords:
            if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
                for key in keyword.value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        yield node.lineno, key.value


def test_no_log_call_overwrites_a_record_attribute():
    clashes = []
    for folder in ("services", "gateway"):
        for path in (ROOT / folder).rglob("*.py"):
            for line, key in _extra_keys(ast.parse(path.read_text(), str(path))):
                if key in RESERVED:
                    clashes.append(f"{path.relative_to(ROOT)}:{line} extra key {key!r}")

    assert clashes == []
