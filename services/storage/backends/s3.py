"""Blobs as objects in an S3 bucket (AWS, MinIO or any S3-compatible server), through boto3.

The key contains the SHA-256 of the bytes, which is known only at the end of the
stream, so a put spools the stream to an anonymous temporary file while
hashing (memory stays at one chunk) and then uploads it under its key in one
PutObject with ``If-None-Match: *``: of two puts of the same bytes that race,
one creates the object and the other learns it exists. An interrupted stream
uploads nothing. Reads are ranged GetObject calls streamed in chunks.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from services.storage.backends.base import (
    CHUNK_BYTES,
    MAX_PAGE_SIZE,
    BlobInfo,
    BlobNotFound,
    BlobPage,
    BlobReader,
    BlobStore,
    DigestMismatch,
    PutResult,
    RangeNotSatisfiable,
    Sha256Counter,
    StorageUnavailable,
    check_page_size,
    check_page_token,
    check_range,
    range_starts_past_end,
)
from services.storage.keys import (
    check_key,
    check_namespace,
    check_prefix,
    check_sha256,
    check_suffix,
    is_valid_key,
    make_key,
)

if TYPE_CHECKING:
    from services.storage.settings import StorageSettings

logger = logging.getLogger(__name__)

# Clients are created under this lock because a boto3 session is not safe to share between threads.
_SESSION_LOCK = threading.Lock()
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
# The object exists already (If-None-Match failed) or another conditional write to it is in flight.
_EXISTS_CODES = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict", "409"})
_RANGE_CODES = frozenset({"InvalidRange", "416"})
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class S3Config:
    bucket: str
    region: str = "us-east-1"
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    create_bucket: bool = False

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> S3Config:
        assert settings.s3_bucket, "the settings check requires a bucket for the s3 backend"
        secret = settings.s3_secret_access_key
        return cls(
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            create_bucket=settings.s3_create_bucket,
        )


class S3BlobStore(BlobStore):
    backend_name = "s3"

    def __init__(self, config: S3Config) -> None:
        self._bucket = config.bucket
        client_config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # Presigned URLs use Signature Version 4, which every region and MinIO accept.
            signature_version="s3v4",
            # S3-compatible servers (MinIO) are addressed by path; AWS picks its own style.
            s3={"addressing_style": "path"} if config.endpoint_url else None,
        )
        with _SESSION_LOCK:
            self._client = _shared_session().client(
                "s3",
                region_name=config.region,
                endpoint_url=config.endpoint_url,
                aws_access_key_id=config.access_key_id,
                aws_secret_access_key=config.secret_access_key,
                config=client_config,
            )
        if config.create_bucket:
            self._create_bucket(config.region)

    def _create_bucket(self, region: str) -> None:
        with _translate_errors("create bucket", self._bucket):
            try:
                self._client.head_bucket(Bucket=self._bucket)
                return
            except ClientError as error:
                if _error_code(error) not in _MISSING_CODES | {"NoSuchBucket"}:
                    raise
            options: dict[str, Any] = {}
            if region != "us-east-1":
                options["CreateBucketConfiguration"] = {"LocationConstraint": region}
            self._client.create_bucket(Bucket=self._bucket, **options)
        logger.info("created bucket %s", self._bucket)

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
        with tempfile.TemporaryFile(prefix="mediacenter-put-") as spool:
            for chunk in chunks:
                counter.update(chunk)
                spool.write(chunk)
            digest = counter.hexdigest()
            if expected_sha256 and digest != expected_sha256:
                raise DigestMismatch(expected_sha256, digest)
            key = make_key(namespace, digest, suffix)
            spool.seek(0)
            with _translate_errors("store", key):
                created = self._upload_once(key, spool, counter.byte_size, digest, content_type)
        return PutResult(key=key, byte_size=counter.byte_size, sha256=digest, created=created)

    def _upload_once(self, key: str, spool: Any, byte_size: int, digest: str, content_type: str) -> bool:
        if self._refresh_if_present(key):
            return False
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=spool,
                ContentLength=byte_size,
                ContentType=content_type or DEFAULT_CONTENT_TYPE,
                # S3 checks the bytes it received against the digest computed while spooling.
                ChecksumSHA256=base64.b64encode(bytes.fromhex(digest)).decode("ascii"),
                IfNoneMatch="*",
            )
        except ClientError as error:
            if _error_code(error) not in _EXISTS_CODES:
                raise
            self._refresh_if_present(key)
            return False
        return True

    def _refresh_if_present(self, key: str) -> bool:
        """Reset the object's time of storing to now when it exists, so a sweep treats it as just stored."""
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in _MISSING_CODES:
                return False
            raise
        # Copying an object onto itself with new metadata is how S3 updates LastModified without a re-upload.
        self._client.copy_object(
            Bucket=self._bucket,
            Key=key,
            CopySource={"Bucket": self._bucket, "Key": key},
            MetadataDirective="REPLACE",
            ContentType=head.get("ContentType") or DEFAULT_CONTENT_TYPE,
            Metadata={"stored-again-at": datetime.now(UTC).isoformat()},
        )
        return True

    def open_range(self, key: str, offset: int = 0, length: int = 0) -> BlobReader:
        check_key(key)
        check_range(offset, length)
        request: dict[str, Any] = {"Bucket": self._bucket, "Key": key}
        if offset or length:
            last = str(offset + length - 1) if length else ""
            request["Range"] = f"bytes={offset}-{last}"
        with _translate_errors("read", key):
            try:
                response = self._client.get_object(**request)
            except ClientError as error:
                if _error_code(error) not in _RANGE_CODES:
                    raise
                info = self.stat(key)
                if range_starts_past_end(offset, info.byte_size):
                    raise RangeNotSatisfiable(key, offset, info.byte_size) from error
                return _EmptyReader(info)  # A range from offset 0 of an empty object.
        content_range = response.get("ContentRange")
        size = int(content_range.rsplit("/", 1)[1]) if content_range else response["ContentLength"]
        return _ObjectReader(BlobInfo(key, size, _utc(response["LastModified"])), response["Body"])

    def stat(self, key: str) -> BlobInfo:
        check_key(key)
        with _translate_errors("stat", key):
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        return BlobInfo(key, head["ContentLength"], _utc(head["LastModified"]))

    def delete(self, key: str, *, stored_before: datetime | None = None) -> bool:
        check_key(key)
        try:
            info = self.stat(key)
        except BlobNotFound:
            return False
        if stored_before is not None and info.stored_at >= stored_before:
            return False
        # NOTE: a put of the same bytes that refreshes the object between the stat above and this
        # delete is lost; S3 offers no delete conditional on LastModified for general buckets.
        with _translate_errors("delete", key):
            self._client.delete_object(Bucket=self._bucket, Key=key)
        return True

    def list_page(self, prefix: str = "", start_after: str = "", page_size: int = MAX_PAGE_SIZE) -> BlobPage:
        check_prefix(prefix)
        check_page_token(start_after)
        page_size = check_page_size(page_size)
        # One blob more than the page shows whether another page follows.
        fetch_limit = page_size + 1
        blobs: list[BlobInfo] = []
        cursor = start_after
        with _translate_errors("list", prefix or "/"):
            while len(blobs) < fetch_limit:
                response = self._client.list_objects_v2(
                    Bucket=self._bucket, Prefix=prefix, StartAfter=cursor, MaxKeys=min(MAX_PAGE_SIZE, fetch_limit - len(blobs))
                )
                for entry in response.get("Contents", []):
                    cursor = entry["Key"]
                    if is_valid_key(cursor):
                        blobs.append(BlobInfo(cursor, entry["Size"], _utc(entry["LastModified"])))
                if not response.get("IsTruncated"):
                    break
        if len(blobs) > page_size:
            return BlobPage(blobs[:page_size], blobs[page_size - 1].key)
        return BlobPage(blobs, "")

    def presign(self, key: str, expires_in_seconds: int) -> str:
        check_key(key)
        with _translate_errors("sign a URL for", key):
            return self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in_seconds
            )

    def close(self) -> None:
        self._client.close()


class _ObjectReader(BlobReader):
    def __init__(self, info: BlobInfo, body: Any) -> None:
        super().__init__(info)
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        with _translate_errors("read", self.info.key):
            yield from self._body.iter_chunks(CHUNK_BYTES)

    def close(self) -> None:
        self._body.close()


class _EmptyReader(BlobReader):
    def __iter__(self) -> Iterator[bytes]:
        return iter(())


@contextlib.contextmanager
def _translate_errors(action: str, key: str) -> Iterator[None]:
    """Turn botocore errors into BlobNotFound or StorageUnavailable."""
    try:
        yield
    except ClientError as error:
        code = _error_code(error)
        if code in _MISSING_CODES:
            raise BlobNotFound(key) from error
        logger.error("S3 failed to %s %s: %s", action, key, error)
        if code == "NoSuchBucket":
            hint = "the bucket does not exist: create it, or set MEDIACENTER_S3_CREATE_BUCKET=true in development."
        elif code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            hint = "access was denied: check the S3 credentials and the bucket policy."
        else:
            hint = "see the storage service log for the S3 error, and retry if S3 was unavailable."
        raise StorageUnavailable(f"S3 failed to {action} {key!r} ({code}): {hint}") from error
    except BotoCoreError as error:
        logger.error("S3 failed to %s %s: %s", action, key, error)
        raise StorageUnavailable(
            f"S3 failed to {action} {key!r}: {error}. Check MEDIACENTER_S3_ENDPOINT_URL and the network, then retry."
        ) from error


@functools.cache
def _shared_session() -> boto3.session.Session:
    """Return one session per process: it caches the loaded S3 model, which makes each new client cheap."""
    return boto3.session.Session()


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
