"""Blob keys: "<namespace>/<sha256 hex><suffix>", checked before any backend sees them.

Every key that reaches a backend has passed ``check_key``. A valid key holds
only [a-z0-9-./] with exactly one "/", never starts with "." and never holds
"..", so it cannot name a path outside the storage root.
"""

from __future__ import annotations

import re

NAMESPACE_PATTERN = re.compile(r"[a-z0-9-]{1,64}")
SUFFIX_PATTERN = re.compile(r"(\.[a-z0-9]{1,10})?")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
KEY_PATTERN = re.compile(r"(?P<namespace>[a-z0-9-]{1,64})/(?P<sha256>[0-9a-f]{64})(?P<suffix>(\.[a-z0-9]{1,10})?)")
# Characters a list prefix may hold: those of keys, so a prefix never matches by accident on anything else.
PREFIX_PATTERN = re.compile(r"[a-z0-9./-]{0,140}")


class InvalidValue(ValueError):
    """A key, namespace, suffix, digest, prefix or range value that breaks its format."""

    def __init__(self, field: str, value: str, rule: str) -> None:
        super().__init__(f"Invalid {field} {value[:200]!r}: {rule}")
        self.field = field
        self.value = value
        self.rule = rule


def check_namespace(namespace: str) -> str:
    if not NAMESPACE_PATTERN.fullmatch(namespace):
        raise InvalidValue("namespace", namespace, "use 1 to 64 characters of a-z, 0-9 and '-'.")
    return namespace


def check_suffix(suffix: str) -> str:
    if not SUFFIX_PATTERN.fullmatch(suffix):
        raise InvalidValue("suffix", suffix, "use \"\" or '.' followed by 1 to 10 characters of a-z and 0-9.")
    return suffix


def check_sha256(digest: str) -> str:
    if not SHA256_PATTERN.fullmatch(digest):
        raise InvalidValue("sha256", digest, "use 64 lowercase hexadecimal characters.")
    return digest


def check_key(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidValue(
            "key",
            key,
            "a key is '<namespace>/<sha256 hex><suffix>', for example 'seller-1/<64 hex digits>.jpg'.",
        )
    return key


def check_prefix(prefix: str) -> str:
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise InvalidValue("prefix", prefix, "use at most 140 characters of a-z, 0-9, '-', '.' and '/'.")
    return prefix


def is_valid_key(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None


def make_key(namespace: str, sha256: str, suffix: str) -> str:
    """Build a key from checked parts."""
    return f"{check_namespace(namespace)}/{check_sha256(sha256)}{check_suffix(suffix)}"


def split_key(key: str) -> tuple[str, str, str]:
    """Return (namespace, sha256, suffix) of a checked key."""
    match = KEY_PATTERN.fullmatch(check_key(key))
    assert match is not None
    return match["namespace"], match["sha256"], match["suffix"]
