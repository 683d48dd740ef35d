"""Cases only the local folder backend has: its layout on disk and the clean-up of temporary files."""

from __future__ import annotations

from pathlib import Path

from services.storage.backends.local import LocalBlobStore
from tests.storage.blobs import sha256_hex


def test_blob_file_lies_under_namespace_and_shard(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    digest = sha256_hex(b"photo")

    store.put("seller-1", ".png", [b"photo"])

    assert (tmp_path / "seller-1" / digest[:2] / f"{digest}.png").read_bytes() == b"photo"


def test_start_up_removes_stale_temporaries(tmp_path: Path):
    LocalBlobStore(tmp_path)
    leftover = tmp_path / ".incoming" / "0123abcd.part"
    leftover.write_bytes(b"half an upload")

    LocalBlobStore(tmp_path, stale_temporary_seconds=0)

    assert not leftover.exists()


def test_start_up_keeps_recent_temporaries(tmp_path: Path):
    LocalBlobStore(tmp_path)
    in_progress = tmp_path / ".incoming" / "0123abcd.part"
    in_progress.write_bytes(b"an upload still running")

    LocalBlobStore(tmp_path)

    assert in_progress.exists()


def test_files_outside_the_layout_are_not_listed(tmp_path: Path):
    store = LocalBlobStore(tmp_path)
    stored = store.put("seller-1", "", [b"photo"])
    digest = sha256_hex(b"other")
    (tmp_path / "seller-1" / "zz").mkdir()
    (tmp_path / "seller-1" / "zz" / digest).write_bytes(b"other")
    (tmp_path / "seller-1" / stored.sha256[:2] / "notes.txt").write_text("not a blob")
    (tmp_path / "Upper").mkdir()

    page = store.list_page()

    assert [blob.key for blob in page.blobs] == [stored.key]
