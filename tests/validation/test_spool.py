"""Receiving an upload into a spool file: the bytes, the digest, limits and write errors."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from mediacenter.validation.v1 import validation_pb2

from services.runtime.errors import InvalidArgument, ResourceExhausted
from services.validation import spool


def _stream(chunks: list[bytes]):
    yield validation_pb2.InspectMediaRequest(header=validation_pb2.InspectHeader(file_name="clip.mp4"))
    for chunk in chunks:
        yield validation_pb2.InspectMediaRequest(chunk=chunk)


def test_spooled_bytes_and_digest_match(tmp_path):
    chunks = [os.urandom(1024 * 1024) for _ in range(9)] + [b"tail"]
    data = b"".join(chunks)

    with spool.spool_upload(_stream(chunks), max_bytes=len(data), policy_version="v1", folder=str(tmp_path)) as upload:
        written = Path(upload.path).read_bytes()
        byte_size = upload.byte_size
        digest = upload.sha256

    assert written == data
    assert byte_size == len(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert list(tmp_path.iterdir()) == []


def test_over_limit_stops_and_removes_file(tmp_path):
    with pytest.raises(ResourceExhausted), spool.spool_upload(
        _stream([b"x" * 600, b"y" * 600]), max_bytes=1000, policy_version="v1", folder=str(tmp_path)
    ):
        pass

    assert list(tmp_path.iterdir()) == []


def test_chunk_before_header_is_invalid(tmp_path):
    requests = iter([validation_pb2.InspectMediaRequest(chunk=b"abc")])

    with pytest.raises(InvalidArgument), spool.spool_upload(
        requests, max_bytes=1000, policy_version="v1", folder=str(tmp_path)
    ):
        pass


def test_write_error_reaches_the_caller(tmp_path, monkeypatch):
    class FullDisk:
        def __init__(self, file) -> None:
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *_exc) -> None:
            self.file.close()

        def write(self, _chunk: bytes) -> int:
            raise OSError(28, "No space left on device")

    original = spool.os.fdopen

    def on_full_disk(descriptor, mode):
        return FullDisk(original(descriptor, mode))

    monkeypatch.setattr(spool.os, "fdopen", on_full_disk)

    with pytest.raises(OSError, match="No space left"), spool.spool_upload(
        _stream([b"a" * 100, b"b" * 100, b"c" * 100]), max_bytes=1000, policy_version="v1", folder=str(tmp_path)
    ):
        pass

    assert list(tmp_path.iterdir()) == []
