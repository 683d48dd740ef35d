"""Blobs as files under one root folder.

Layout: ``<root>/<namespace>/<first two hex digits>/<sha256 hex><suffix>``.
A put streams into ``<root>/.incoming/<random>.part`` while hashing, fsyncs,
then hard-links the file under its key. The link fails when the key exists,
so two racing puts of the same bytes store the blob once, and exactly one of
them reports it created. A crash or a cancelled stream leaves at most a
``.part`` file, which ``remove_stale_temporaries`` deletes at start-up and on
every sweep.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from services.storage.backends.base import (
    CHUNK_BYTES,
    MAX_PAGE_SIZE,
    BlobInfo,
    BlobNotFound,
    BlobPage,
    BlobReader,
    BlobStore,
    DigestMismatch,
    PresignNotSupported,
    PutResult,
    RangeNotSatisfiable,
    Sha256Counter,
    StorageUnavailable,
    check_page_size,
    check_page_token,
    check_range,
    range_end,
    range_starts_past_end,
)
from services.storage.keys import (
    NAMESPACE_PATTERN,
    check_key,
    check_namespace,
    check_prefix,
    check_sha256,
    check_suffix,
    is_valid_key,
    make_key,
    split_key,
)

logger = logging.getLogger(__name__)

INCOMING_FOLDER = ".incoming"
PART_SUFFIX = ".part"
DELETING_SUFFIX = ".deleting"
# A temporary file unchanged for this long belongs to a put or delete that died. A put of media
# (at most 10 MB) writes its file within seconds, so an hour is a wide margin.
STALE_TEMPORARY_SECONDS = 3600.0
# A put that finds its key deleted between two steps tries again this many times.
PLACE_ATTEMPTS = 3


class LocalBlobStore(BlobStore):
    backend_name = "local"

    def __init__(self, root: Path, *, stale_temporary_seconds: float = STALE_TEMPORARY_SECONDS) -> None:
        self._root = Path(root).resolve()
        self._stale_temporary_seconds = stale_temporary_seconds
        self._incoming = self._root / INCOMING_FOLDER
        try:
            self._incoming.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(
                f"Cannot create the storage folder {self._incoming}: {error.strerror}. "
                "Check MEDIACENTER_STORAGE_ROOT and its permissions."
            ) from error
        self.remove_stale_temporaries()

    def put(
        self,
        namespace: str,
        suffix: str,
        chunks: Iterable[bytes],
        *,
        content_type: str = "",
        expected_sha256: str = "",
    ) -> PutResult:
        check_namespace(namespace)
        check_suffix(suffix)
        if expected_sha256:
            check_sha256(expected_sha256)
        counter = Sha256Counter()
        temporary = self._incoming / f"{uuid.uuid4().hex}{PART_SUFFIX}"
        try:
            with _translate_os_errors("write", temporary.name), open(temporary, "xb") as file:
                for chunk in chunks:
                    counter.update(chunk)
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            digest = counter.hexdigest()
            if expected_sha256 and digest != expected_sha256:
                raise DigestMismatch(expected_sha256, digest)
            key = make_key(namespace, digest, suffix)
            with _translate_os_errors("store", key):
                created = self._place(temporary, self._path(key))
        finally:
            temporary.unlink(missing_ok=True)
        return PutResult(key=key, byte_size=counter.byte_size, sha256=digest, created=created)

    def _place(self, temporary: Path, final: Path) -> bool:
        final.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(PLACE_ATTEMPTS):
            try:
                # NOTE: needs a file system with hard links (every usual Linux and macOS one).
                os.link(temporary, final)
            except FileExistsError:
                try:
                    os.utime(final)
                except FileNotFoundError:
                    continue  # A delete removed it between the two calls: link again.
                return False
            _fsync_folder(final.parent)
            return True
        raise StorageUnavailable(
            f"Could not store {final.name}: it was deleted and stored again meanwhile. Retry the put."
        )

    def open_range(self, key: str, offset: int = 0, length: int = 0) -> BlobReader:
        check_key(key)
        check_range(offset, length)
        path = self._path(key)
        with _translate_os_errors("read", key):
            file = open(path, "rb")  # noqa: SIM115 - the returned reader owns the file and closes it
        try:
            with _translate_os_errors("read", key):
                status = os.fstat(file.fileno())
                info = BlobInfo(key, status.st_size, _utc(status.st_mtime))
                if range_starts_past_end(offset, info.byte_size):
                    raise RangeNotSatisfiable(key, offset, info.byte_size)
                file.seek(offset)
        except BaseException:
            file.close()
            raise
        return _FileReader(info, file, range_end(offset, length, info.byte_size) - offset)

    def stat(self, key: str) -> BlobInfo:
        check_key(key)
        with _translate_os_errors("stat", key):
            status = self._path(key).stat()
        return BlobInfo(key, status.st_size, _utc(status.st_mtime))

    def delete(self, key: str, *, stored_before: datetime | None = None) -> bool:
        check_key(key)
        path = self._path(key)
        with _translate_os_errors("delete", key):
            if stored_before is None:
                try:
                    path.unlink()
                except FileNotFoundError:
                    return False
                return True
            return self._delete_if_older(path, stored_before)

    def _delete_if_older(self, path: Path, stored_before: datetime) -> bool:
        # Move the blob aside first, then read its time. A put of the same bytes refreshes the time
        # of the file under the key. If it did so before the move, the time read here is new and the
        # blob goes back. If it comes after the move, it finds the key empty and writes a new file.
        aside = self._incoming / f"{uuid.uuid4().hex}{DELETING_SUFFIX}"
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False
        if aside.stat().st_mtime < stored_before.timestamp():
            aside.unlink()
            return True
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # A put stored the same bytes again meanwhile.
        aside.unlink()
        return False

    def list_page(self, prefix: str = "", start_after: str = "", page_size: int = MAX_PAGE_SIZE) -> BlobPage:
        check_prefix(prefix)
        check_page_token(start_after)
        page_size = check_page_size(page_size)
        blobs: list[BlobInfo] = []
        with _translate_os_errors("list", prefix or "/"):
            for info in self._iter_blobs(prefix, start_after):
                if len(blobs) == page_size:
                    return BlobPage(blobs, blobs[-1].key)
                blobs.append(info)
        return BlobPage(blobs, "")

    def _iter_blobs(self, prefix: str, start_after: str) -> Iterator[BlobInfo]:
        """Yield blobs in key order (byte order of the whole key, as S3 lists them)."""
        namespaces = [name for name in _folder_names(self._root) if NAMESPACE_PATTERN.fullmatch(name)]
        # Sorting by "<namespace>/" rather than by the name keeps whole-key order: "a-b/" < "a/".
        for namespace in sorted(namespaces, key=lambda name: name + "/"):
            namespace_prefix = namespace + "/"
            if _skips(namespace_prefix, prefix, start_after):
                continue
            for shard in sorted(_folder_names(self._root / namespace)):
                shard_prefix = namespace_prefix + shard
                if _skips(shard_prefix, prefix, start_after):
                    continue
                yield from self._iter_shard(self._root / namespace / shard, namespace_prefix, prefix, start_after)

    def _iter_shard(self, folder: Path, namespace_prefix: str, prefix: str, start_after: str) -> Iterator[BlobInfo]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except FileNotFoundError:
            return
        for entry in entries:
            key = namespace_prefix + entry.name
            if key <= start_after or not key.startswith(prefix) or not is_valid_key(key):
                continue
            if self._path(key) != Path(entry.path):
                continue  # A file in the wrong shard folder is not a blob.
            try:
                status = entry.stat()
            except FileNotFoundError:
                continue
            yield BlobInfo(key, status.st_size, _utc(status.st_mtime))

    def presign(self, key: str, expires_in_seconds: int) -> str:
        check_key(key)
        raise PresignNotSupported(self.backend_name)

    def remove_stale_temporaries(self) -> int:
        """Delete temporary files whose last change (ctime, which a rename also sets) is older than the limit."""
        threshold = time.time() - self._stale_temporary_seconds
        removed = 0
        for entry in os.scandir(self._incoming):
            if not entry.name.endswith((PART_SUFFIX, DELETING_SUFFIX)):
                continue
            try:
                if entry.stat().st_ctime < threshold:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue
        if removed:
            logger.info("removed %d stale temporary files", removed, extra={"folder": str(self._incoming)})
        return removed

    def _path(self, key: str) -> Path:
        namespace, digest, suffix = split_key(key)
        path = self._root / namespace / digest[:2] / f"{digest}{suffix}"
        # The key check already rules out "..", "/" inside names and leading dots. This second check
        # keeps every path under the root even if that pattern is ever loosened.
        if path.parent.parent.parent != self._root:
            raise StorageUnavailable(f"Key {key!r} maps outside the storage root, so it was rejected.")
        return path


class _FileReader(BlobReader):
    def __init__(self, info: BlobInfo, file: BinaryIO, length: int) -> None:
        super().__init__(info)
        self._file = file
        self._remaining = length

    def __iter__(self) -> Iterator[bytes]:
        while self._remaining > 0:
            chunk = self._file.read(min(CHUNK_BYTES, self._remaining))
            if not chunk:
                raise StorageUnavailable(f"Blob {self.info.key!r} ended early while being read; retry.")
            self._remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self._file.close()


@contextlib.contextmanager
def _translate_os_errors(action: str, key: str) -> Iterator[None]:
    """Turn OSError into BlobNotFound (a missing file) or StorageUnavailable (anything else)."""
    try:
        yield
    except FileNotFoundError as error:
        raise BlobNotFound(key) from error
    except OSError as error:
        logger.error("local storage failed to %s %s: %s", action, key, error)
        raise StorageUnavailable(
            f"Local storage failed to {action} {key!r}: {error.strerror or error}. "
            "Check the disk and the permissions of MEDIACENTER_STORAGE_ROOT."
        ) from error


def _folder_names(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def _skips(folder_prefix: str, prefix: str, start_after: str) -> bool:
    """Return True when no key starting with ``folder_prefix`` can match ``prefix`` or follow ``start_after``."""
    if not (folder_prefix.startswith(prefix) or prefix.startswith(folder_prefix)):
        return True
    return start_after > folder_prefix and not start_after.startswith(folder_prefix)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
