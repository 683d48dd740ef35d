"""The one interface every blob backend implements, and the errors it raises.

Adapters turn vendor failures (OSError, botocore errors) into the errors
defined here, so nothing above the adapter depends on which backend runs.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from services.storage.keys import InvalidValue, is_valid_key

# Bytes per chunk read from a backend or sent in one gRPC message.
CHUNK_BYTES = 1024 * 1024
# Keys per page when the caller gives no page size, and the largest page a caller may ask for.
MAX_PAGE_SIZE = 1000


class StorageError(Exception):
    """Base of the errors a backend raises; the message is safe to show to callers."""


class BlobNotFound(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"Blob {key!r} was not found: check the key, or store the bytes first.")
        self.key = key


class RangeNotSatisfiable(StorageError):
    def __init__(self, key: str, offset: int, size: int) -> None:
        super().__init__(
            f"Offset {offset} is past the end of blob {key!r}, which is {size} bytes long: "
            f"request an offset below {size}."
        )
        self.key = key
        self.offset = offset
        self.size = size


class DigestMismatch(StorageError):
    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(
            f"The bytes hash to SHA-256 {actual}, not the expected {expected}: "
            "the upload was corrupted or the expected digest is wrong; nothing was stored."
        )
        self.expected = expected
        self.actual = actual


class PresignNotSupported(StorageError):
    def __init__(self, backend: str) -> None:
        super().__init__(
            f"The {backend} backend cannot sign URLs: read the blob with GetBlob, "
            "or run the storage service with MEDIACENTER_STORAGE_BACKEND=s3."
        )


class StorageUnavailable(StorageError):
    """The backend could not be reached or failed; retrying later may succeed."""


@dataclass(frozen=True)
class PutResult:
    key: str
    byte_size: int
    sha256: str
    # False when a blob with this key already existed and nothing new was written.
    created: bool


@dataclass(frozen=True)
class BlobInfo:
    key: str
    byte_size: int
    # Time of storing (the last modification), timezone-aware UTC.
    stored_at: datetime


@dataclass(frozen=True)
class BlobPage:
    blobs: list[BlobInfo]
    # Key to pass as ``start_after`` for the next page; "" on the last page.
    next_page_token: str


class BlobReader(abc.ABC):
    """An open byte range of one blob: ``info`` describes the whole blob, iteration yields the range."""

    def __init__(self, info: BlobInfo) -> None:
        self.info = info

    @abc.abstractmethod
    def __iter__(self) -> Iterator[bytes]:
        """Yield the bytes of the range in order, in chunks of at most CHUNK_BYTES."""

    def close(self) -> None:
        """Release the file or connection behind the reader."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class BlobStore(abc.ABC):
    """Content-addressed blob storage under keys "<namespace>/<sha256 hex><suffix>"."""

    # Name used in messages and logs, such as "local" or "s3".
    backend_name: str = ""

    @abc.abstractmethod
    def put(
        self,
        namespace: str,
        suffix: str,
        chunks: Iterable[bytes],
        *,
        content_type: str = "",
        expected_sha256: str = "",
    ) -> PutResult:
        """Store the bytes of ``chunks`` under the key their SHA-256 gives.

        When the key exists already, nothing new is written, the blob's time of
        storing is refreshed (so a sweep treats it as just written) and
        ``created`` is False. If ``chunks`` raises, or the digest does not match
        ``expected_sha256`` (DigestMismatch), nothing is left under any key.
        """

    @abc.abstractmethod
    def open_range(self, key: str, offset: int = 0, length: int = 0) -> BlobReader:
        """Open ``length`` bytes from ``offset`` (0 means to the end; a range past the end is cut).

        Raises BlobNotFound, or RangeNotSatisfiable when ``offset`` is at or past
        the end of a non-empty blob (offset 0 of an empty blob is an empty read).
        """

    @abc.abstractmethod
    def stat(self, key: str) -> BlobInfo:
        """Return the blob's size and time of storing, or raise BlobNotFound."""

    @abc.abstractmethod
    def delete(self, key: str, *, stored_before: datetime | None = None) -> bool:
        """Delete a blob and return True, or return False when there was none.

        With ``stored_before``, delete only a blob stored before that time and
        return False for a newer one. The sweep passes it, so a blob stored
        again while the sweep runs survives.
        """

    @abc.abstractmethod
    def list_page(self, prefix: str = "", start_after: str = "", page_size: int = MAX_PAGE_SIZE) -> BlobPage:
        """Return up to ``page_size`` blobs whose keys start with ``prefix``, in key order after ``start_after``."""

    @abc.abstractmethod
    def presign(self, key: str, expires_in_seconds: int) -> str:
        """Return a GET URL for the blob valid that long; BlobNotFound or PresignNotSupported."""

    def remove_stale_temporaries(self) -> int:
        """Delete temporary files that interrupted puts left behind; return how many."""
        return 0

    def close(self) -> None:
        """Release connections and other resources."""


def check_range(offset: int, length: int) -> None:
    if offset < 0:
        raise InvalidValue("offset", str(offset), "use 0 or a positive byte offset.")
    if length < 0:
        raise InvalidValue("length", str(length), "use 0 (to the end) or a positive number of bytes.")


def check_page_token(token: str) -> str:
    """Check a page token, which is the last key of the previous page or ""."""
    if token and not is_valid_key(token):
        raise InvalidValue("page_token", token, "pass the next_page_token of the previous page, or \"\" to start.")
    return token


def check_page_size(page_size: int) -> int:
    if page_size == 0:
        return MAX_PAGE_SIZE
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidValue("page_size", str(page_size), f"use 1 to {MAX_PAGE_SIZE}, or 0 for {MAX_PAGE_SIZE}.")
    return page_size


def range_end(offset: int, length: int, size: int) -> int:
    """Return the end (exclusive) of a checked range, cut at the blob's size."""
    if length == 0:
        return size
    return min(size, offset + length)


def range_starts_past_end(offset: int, size: int) -> bool:
    return offset > 0 and offset >= size


class Sha256Counter:
    """Hashes and counts bytes as they pass."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.byte_size = 0

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self.byte_size += len(chunk)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
