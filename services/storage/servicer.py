"""gRPC servicer of StorageService: translates protobuf to BlobStore calls and errors to domain errors."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import grpc
from google.protobuf import timestamp_pb2
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, OutOfRange, Unavailable
from services.storage.backends.base import (
    CHUNK_BYTES,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    DigestMismatch,
    PresignNotSupported,
    RangeNotSatisfiable,
    StorageUnavailable,
)
from services.storage.keys import InvalidValue
from services.storage.sweep import Sweeper

logger = logging.getLogger(__name__)

DEFAULT_PRESIGN_SECONDS = 3600
MAX_PRESIGN_SECONDS = 604800


class StorageServicer(storage_pb2_grpc.StorageServiceServicer):
    def __init__(self, store: BlobStore, sweeper: Sweeper | None) -> None:
        self._store = store
        self._sweeper = sweeper

    def PutBlob(self, request_iterator: Iterator[storage_pb2.PutBlobRequest], context: grpc.ServicerContext):
        started = time.perf_counter()
        header = storage_pb2.PutBlobHeader()
        try:
            header = _read_header(request_iterator)
            with _domain_errors():
                result = self._store.put(
                    header.namespace,
                    header.suffix,
                    _chunks(request_iterator),
                    content_type=header.content_type,
                    expected_sha256=header.expected_sha256,
                )
        except grpc.RpcError:
            # Reading the next request fails this way when the client cancelled the call.
            if context.is_active():
                raise
            logger.info("put into namespace %s cancelled by the client; nothing was stored", header.namespace)
            context.abort(grpc.StatusCode.CANCELLED, "The client cancelled the put; nothing was stored.")
        logger.info(
            "stored blob %s (%d bytes, %s) in %.1f ms",
            result.key,
            result.byte_size,
            "new" if result.created else "already present",
            (time.perf_counter() - started) * 1000,
            extra={"key": result.key, "byte_size": result.byte_size, "newly_stored": result.created},
        )
        return storage_pb2.PutBlobResponse(
            key=result.key, byte_size=result.byte_size, sha256=result.sha256, created=result.created
        )

    def GetBlob(self, request: storage_pb2.GetBlobRequest, context: grpc.ServicerContext):
        started = time.perf_counter()
        with _domain_errors():
            reader = self._store.open_range(request.key, request.offset, request.length)
        sent = 0
        with reader, _domain_errors():
            info = _blob_info(reader.info)
            for chunk in reader:
                yield storage_pb2.GetBlobResponse(info=info, chunk=chunk)
                info = None
                sent += len(chunk)
            if info is not None:
                yield storage_pb2.GetBlobResponse(info=info)
        logger.info(
            "sent blob %s bytes %d..%d in %.1f ms",
            request.key,
            request.offset,
            request.offset + sent,
            (time.perf_counter() - started) * 1000,
            extra={"key": request.key, "byte_size": sent},
        )

    def StatBlob(self, request: storage_pb2.StatBlobRequest, context: grpc.ServicerContext):
        with _domain_errors():
            return _blob_info(self._store.stat(request.key))

    def DeleteBlob(self, request: storage_pb2.DeleteBlobRequest, context: grpc.ServicerContext):
        with _domain_errors():
            deleted = self._store.delete(request.key)
        logger.info("deleted blob %s: %s", request.key, "removed" if deleted else "there was none",
                    extra={"key": request.key, "deleted": deleted})
        return storage_pb2.DeleteBlobResponse(deleted=deleted)

    def ListBlobs(self, request: storage_pb2.ListBlobsRequest, context: grpc.ServicerContext):
        with _domain_errors():
            page = self._store.list_page(request.prefix, request.page_token, request.page_size)
        return storage_pb2.ListBlobsResponse(
            blobs=[_blob_info(blob) for blob in page.blobs], next_page_token=page.next_page_token
        )

    def PresignBlob(self, request: storage_pb2.PresignBlobRequest, context: grpc.ServicerContext):
        expires_in = request.expires_in_seconds or DEFAULT_PRESIGN_SECONDS
        if not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
            raise InvalidArgument(
                "invalid_expiry",
                f"expires_in_seconds {request.expires_in_seconds} is out of range: "
                f"use 1 to {MAX_PRESIGN_SECONDS}, or 0 for {DEFAULT_PRESIGN_SECONDS}.",
                field_violations=[("expires_in_seconds", f"must be 1 to {MAX_PRESIGN_SECONDS}")],
            )
        issued_at = datetime.now(UTC)
        with _domain_errors():
            self._store.stat(request.key)
            url = self._store.presign(request.key, expires_in)
        return storage_pb2.PresignBlobResponse(
            url=url, expires_at=_timestamp(issued_at + timedelta(seconds=expires_in))
        )

    def SweepOrphans(self, request: storage_pb2.SweepOrphansRequest, context: grpc.ServicerContext):
        if self._sweeper is None:
            raise FailedPrecondition(
                "sweep_not_configured",
                "The sweep is off because the storage service does not know the catalogue: "
                "set MEDIACENTER_CATALOGUE_ADDRESS to the catalogue's host:port and restart it.",
            )
        if request.grace_seconds < 0:
            raise InvalidArgument(
                "invalid_grace",
                f"grace_seconds {request.grace_seconds} is negative: use 0 for the configured grace period "
                "or a positive number of seconds.",
                field_violations=[("grace_seconds", "must be 0 or positive")],
            )
        with _domain_errors():
            result = self._sweeper.run(
                grace_seconds=request.grace_seconds or None, dry_run=request.dry_run
            )
        return storage_pb2.SweepOrphansResponse(
            scanned=result.scanned, removed_keys=result.removed_keys, removed_bytes=result.removed_bytes
        )


def _read_header(request_iterator: Iterator[storage_pb2.PutBlobRequest]) -> storage_pb2.PutBlobHeader:
    first = next(request_iterator, None)
    if first is None or first.WhichOneof("part") != "header":
        raise InvalidArgument(
            "missing_header",
            "The first message of PutBlob must be a header with the namespace: send the header, then the chunks.",
            field_violations=[("header", "must come first")],
        )
    return first.header


def _chunks(request_iterator: Iterator[storage_pb2.PutBlobRequest]) -> Iterator[bytes]:
    for request in request_iterator:
        if request.WhichOneof("part") != "chunk":
            raise InvalidArgument(
                "unexpected_header",
                "PutBlob got a second header: send one header, then only chunks.",
                field_violations=[("header", "must be sent once")],
            )
        # Each read of a bytes field copies it into a new bytes object, so the chunk is read once.
        chunk = request.chunk
        if len(chunk) > CHUNK_BYTES:
            raise InvalidArgument(
                "chunk_too_large",
                f"A PutBlob chunk is {len(chunk)} bytes: split the bytes into chunks of at most "
                f"{CHUNK_BYTES} bytes (1 MiB).",
                field_violations=[("chunk", f"at most {CHUNK_BYTES} bytes")],
            )
        yield chunk


@contextlib.contextmanager
def _domain_errors() -> Iterator[None]:
    """Translate backend errors into the domain errors that the interceptor maps to gRPC codes."""
    try:
        yield
    except InvalidValue as error:
        raise InvalidArgument(
            f"invalid_{error.field}", str(error), field_violations=[(error.field, error.rule)]
        ) from error
    except DigestMismatch as error:
        raise InvalidArgument(
            "sha256_mismatch",
            str(error),
            field_violations=[("header.expected_sha256", "must match the SHA-256 of the bytes")],
            metadata={"expected_sha256": error.expected, "actual_sha256": error.actual},
        ) from error
    except BlobNotFound as error:
        raise NotFound("blob_not_found", str(error), metadata={"key": error.key}) from error
    except RangeNotSatisfiable as error:
        raise OutOfRange(
            "range_not_satisfiable",
            str(error),
            metadata={"key": error.key, "offset": str(error.offset), "byte_size": str(error.size)},
        ) from error
    except PresignNotSupported as error:
        raise FailedPrecondition("presign_not_supported", str(error)) from error
    except StorageUnavailable as error:
        raise Unavailable("storage_unavailable", str(error)) from error


def _blob_info(info: BlobInfo) -> storage_pb2.BlobInfo:
    return storage_pb2.BlobInfo(key=info.key, byte_size=info.byte_size, stored_at=_timestamp(info.stored_at))


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp
