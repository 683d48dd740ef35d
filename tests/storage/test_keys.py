"""Key checks: valid keys round-trip, and no string at all maps to a path outside the storage root."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.storage.backends.local import LocalBlobStore
from services.storage.keys import InvalidValue, check_key, make_key, split_key

DIGEST = "ab" * 32


def test_make_key_joins_parts():
    assert make_key("seller-1", DIGEST, ".webp") == f"seller-1/{DIGEST}.webp"


def test_split_key_returns_parts():
    assert split_key(f"seller-1/{DIGEST}.jpg") == ("seller-1", DIGEST, ".jpg")


@pytest.mark.parametrize(
    "key",
    [f"seller-1/{DIGEST}\n", f"seller-1/{DIGEST}.jpg\n", f" seller-1/{DIGEST}", f"seller-1/{DIGEST}.j/g"],
)
def test_key_with_trailing_or_inner_junk_is_invalid(key):
    with pytest.raises(InvalidValue):
        check_key(key)


KEY_ALPHABET = st.sampled_from(list("abf09-./\\\x00~") + ["..", "../", DIGEST, "seller-1/", "%2e"])


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> LocalBlobStore:
    return LocalBlobStore(tmp_path_factory.mktemp("root"))


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(KEY_ALPHABET, max_size=12), noise=st.text(max_size=8))
def test_no_key_maps_outside_root(local_store, parts, noise):
    root = local_store._root
    key = "".join(parts) + noise

    try:
        path = local_store._path(key)
    except InvalidValue:
        return

    assert path.resolve().is_relative_to(Path(root).resolve())
    assert path.parent.parent.parent == Path(root).resolve()
