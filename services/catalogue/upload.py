"""The upload flow: spool, validate, deduplicate, store, then record and reserve capacity at once.

A rejected file stores nothing and changes no capacity. Blobs written before a
failed or lost record insert are left for the storage sweep, which removes
unreferenced blobs after a grace period.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import grpc
import psycopg
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2
from prometheus_client import Counter
from psycopg_pool import ConnectionPool

from services.catalogue import violations
from services.catalogue.converters import kind_to_proto
from services.catalogue.downstream import Storage, Validation, kind_name
from services.catalogue.errors import folder_not_found, seller_id_of, seller_not_found
from services.catalogue.folders import folder_id_of
from services.catalogue.names import (
    canonical_extension,
    clean_display_name,
    clean_file_name,
    fold_for_search,
    url_file_name,
)
from services.catalogue.records import FolderRecord, MediaRecord, UploadResultRecord
from services.catalogue.repository import constraint_of
from services.catalogue.repository import folders as folder_rows
from services.catalogue.repository import media as media_rows
from services.catalogue.repository import sellers as seller_rows
from services.catalogue.repository import uploads as upload_rows
from services.runtime.errors import Cancelled, DomainError, ErrorDetails, InvalidArgument

logger = logging.getLogger(__name__)

UPLOADS = Counter(
    "mediacenter_catalogue_uploads_total",
    "Uploads finished by the catalogue, by outcome (stored, duplicate, replayed, or the failure reason).",
    ["outcome"],
)

MAX_CHUNK_BYTES = 1024 * 1024
MAX_IDEMPOTENCY_KEY_CHARS = 200
# Outcomes that depend only on the bytes and the target folder, so a retry with the same key gets
# them again. A capacity failure is not kept: after the seller frees space, the retry should succeed.
_REMEMBERED_REASONS = frozenset({"upload_rejected", "file_too_large"})


@dataclass(frozen=True)
class UploadOutcome:
    media: MediaRecord
    duplicate: bool


@dataclass(frozen=True)
class _Spooled:
    file: BinaryIO
    byte_size: int
    sha256: str


def _read_header(requests: Iterator[catalogue_pb2.UploadMediaRequest]) -> catalogue_pb2.UploadHeader:
    first = next(requests, None)
    if first is None or first.WhichOneof("part") != "header":
        raise InvalidArgument(
            "missing_header",
            "The upload stream must start with a header message naming the seller; send the header, then chunks.",
            field_violations=[("header", "must be the first message of the stream")],
        )
    return first.header


def _idempotency_key_of(value: str) -> str:
    if value and (len(value) > MAX_IDEMPOTENCY_KEY_CHARS or not all(32 <= ord(ch) < 127 for ch in value)):
        raise InvalidArgument(
            "invalid_idempotency_key",
            f"The idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters;"
            " a UUID works well.",
            field_violations=[("idempotency_key", "must be 1 to 200 printable ASCII characters, or empty")],
        )
    return value


def _spool(
    requests: Iterator[catalogue_pb2.UploadMediaRequest], target: BinaryIO, max_bytes: int, scope: str, policy: str
) -> _Spooled:
    """Write the chunks to ``target`` until the end message, and stop with file_too_large as soon as
    the total passes ``max_bytes``.

    A stream that stops without its end message is incomplete. That is how a cancelled call looks
    here, because the sync server ends the request iterator normally when the client goes away.
    """
    digest = hashlib.sha256()
    received = 0
    for request in requests:
        part = request.WhichOneof("part")
        if part == "end":
            if request.end.byte_size != received:
                raise InvalidArgument(
                    "upload_size_mismatch",
                    f"The end message says {request.end.byte_size} bytes were sent, but {received} arrived. "
                    "Send the file again.",
                    field_violations=[("end.byte_size", f"must equal the bytes sent in chunks ({received})")],
                )
            if next(requests, None) is not None:
                raise InvalidArgument(
                    "message_after_end",
                    "The upload stream went on after its end message: send the end message last.",
                    field_violations=[("end", "must be the last message of the stream")],
                )
            target.flush()
            return _Spooled(target, received, digest.hexdigest())
        if part != "chunk":
            raise InvalidArgument(
                "unexpected_header",
                "The upload stream has a second header: send one header, then only chunks.",
                field_violations=[("header", "must be sent once, as the first message")],
            )
        # Each read of a bytes field copies it into a new bytes object, so the chunk is read once.
        chunk = request.chunk
        if len(chunk) > MAX_CHUNK_BYTES:
            raise InvalidArgument(
                "chunk_too_large",
                f"A chunk of {len(chunk)} bytes was sent; send at most {MAX_CHUNK_BYTES} bytes per message.",
                field_violations=[("chunk", f"must be at most {MAX_CHUNK_BYTES} bytes")],
            )
        received += len(chunk)
        if received > max_bytes:
            raise violations.file_too_large(received, max_bytes, scope, policy)
        digest.update(chunk)
        target.write(chunk)
    raise InvalidArgument(
        "upload_incomplete",
        f"The upload stream ended after {received} bytes without its end message, so the file may be cut "
        "short; nothing was stored. Send the whole file, then an end message with its size.",
        field_violations=[("end", "missing: send it after the last chunk")],
    )


def _stop_if_cancelled(is_active: Callable[[], bool], file_name: str) -> None:
    if not is_active():
        raise Cancelled(
            "upload_cancelled",
            f"The upload of {file_name!r} was cancelled before it finished; it was not added to the library.",
        )


class Uploads:
    def __init__(self, pool: ConnectionPool, validation: Validation, storage: Storage, spool_dir: str) -> None:
        self._pool = pool
        self._validation = validation
        self._storage = storage
        self._spool_dir = spool_dir or None

    def upload(
        self, requests: Iterator[catalogue_pb2.UploadMediaRequest], is_active: Callable[[], bool] = lambda: True
    ) -> UploadOutcome:
        """Run the upload flow. ``is_active`` returns False once the client has cancelled the call."""
        started = time.perf_counter()
        header = _read_header(requests)
        seller_id = seller_id_of(header.seller_id)
        key = _idempotency_key_of(header.idempotency_key)
        if key:
            replay = self._replay(seller_id, key)
            if replay is not None:
                UPLOADS.labels(outcome="replayed").inc()
                logger.info("upload replayed", extra={"seller_id": str(seller_id), "media_id": str(replay.media.id)})
                return replay
        folder = self._target_folder(seller_id, header)
        try:
            outcome = self._receive_and_store(seller_id, header, folder, requests, key, is_active)
        except DomainError as error:
            UPLOADS.labels(outcome=error.reason).inc()
            logger.info(
                "upload failed",
                extra={
                    "seller_id": str(seller_id),
                    "reason": error.reason,
                    "elapsed_ms": round((time.perf_counter() - started) * 1000),
                },
            )
            if key and error.reason in _REMEMBERED_REASONS:
                self._remember_error(seller_id, key, error)
            raise
        UPLOADS.labels(outcome="duplicate" if outcome.duplicate else "stored").inc()
        logger.info(
            "upload finished",
            extra={
                "seller_id": str(seller_id),
                "media_id": str(outcome.media.id),
                "byte_size": outcome.media.byte_size,
                "duplicate": outcome.duplicate,
                "elapsed_ms": round((time.perf_counter() - started) * 1000),
            },
        )
        return outcome

    def _target_folder(self, seller_id: uuid.UUID, header: catalogue_pb2.UploadHeader) -> FolderRecord | None:
        """Check that the seller (and the folder, when given) exist before any bytes are read."""
        folder_id = folder_id_of(header.folder_id) if header.folder_id else None
        with self._pool.connection() as connection:
            if seller_rows.get_seller(connection, seller_id) is None:
                raise seller_not_found(header.seller_id)
            if folder_id is None:
                return None
            folder = folder_rows.get_folder(connection, seller_id, folder_id)
        if folder is None:
            raise folder_not_found(header.folder_id)
        return folder

    def _receive_and_store(
        self,
        seller_id: uuid.UUID,
        header: catalogue_pb2.UploadHeader,
        folder: FolderRecord | None,
        requests: Iterator[catalogue_pb2.UploadMediaRequest],
        key: str,
        is_active: Callable[[], bool],
    ) -> UploadOutcome:
        limits = self._validation.size_limits()
        max_bytes = limits.max_bytes(folder.kind if folder else None)
        scope = f"{folder.kind} files" if folder else "any file"
        with tempfile.TemporaryFile(dir=self._spool_dir, prefix="upload-") as target:
            spooled = _spool(requests, target, max_bytes, scope, limits.policy_version)
            # The file is whole, but a client that has gone away will not read the response, so stop here.
            _stop_if_cancelled(is_active, header.file_name)
            expected_kind = kind_to_proto(folder.kind) if folder else common_pb2.MEDIA_KIND_UNSPECIFIED
            verdict = self._validation.inspect(spooled.file, expected_kind=expected_kind, file_name=header.file_name)
            kind = kind_name(verdict.kind)
            broken = violations.with_folder_kind(list(verdict.violations), folder, kind)
            if not verdict.accepted or broken or kind is None:
                raise violations.upload_rejected(header.file_name, broken, verdict.policy_version)

            existing = self._find_live_duplicate(seller_id, spooled.sha256)
            if existing is not None:
                self._remember_media(seller_id, key, existing.id, duplicate=True)
                return UploadOutcome(existing, duplicate=True)

            namespace = str(seller_id)
            media_format = verdict.metadata.format
            # Storing bytes that already exist resets their stored time, so the sweep's grace period
            # protects them until the insert below commits.
            original = self._storage.put_file(
                spooled.file,
                namespace=namespace,
                suffix="." + canonical_extension(media_format),
                content_type=verdict.metadata.mime_type,
                sha256=spooled.sha256,
            )
            preview = self._storage.put_bytes(
                verdict.preview_webp, namespace=namespace, suffix=".webp", content_type="image/webp"
            )
        file_name = clean_file_name(header.file_name, media_format)
        name = clean_display_name(header.name) or file_name
        new_media = media_rows.NewMedia(
            id=uuid.uuid4(),
            seller_id=seller_id,
            folder_id=folder.id if folder else None,
            name=name,
            name_folded=fold_for_search(name),
            file_name=url_file_name(name, media_format),
            kind=kind,
            format=media_format,
            mime_type=verdict.metadata.mime_type,
            byte_size=spooled.byte_size,
            width=verdict.metadata.width,
            height=verdict.metadata.height,
            duration_ms=verdict.metadata.duration_ms,
            frame_rate=verdict.metadata.frame_rate,
            video_codec=verdict.metadata.video_codec,
            audio_codec=verdict.metadata.audio_codec,
            rotation_degrees=verdict.metadata.rotation_degrees,
            has_audio=verdict.metadata.has_audio,
            sha256=spooled.sha256,
            blob_key=original.key,
            preview_blob_key=preview.key,
        )
        # A client that went away while the file was checked and stored gets nothing recorded. Its blobs
        # have no record, so the storage sweep removes them.
        _stop_if_cancelled(is_active, header.file_name)
        return self._record(new_media, key)

    def _record(self, new_media: media_rows.NewMedia, key: str) -> UploadOutcome:
        """Insert the record and reserve its bytes in one transaction, under the seller's row lock."""
        seller_id = new_media.seller_id
        try:
            with self._pool.connection() as connection, connection.transaction():
                seller = seller_rows.get_seller(connection, seller_id, for_update=True)
                if seller is None:
                    raise seller_not_found(seller_id)
                if seller.used_bytes + new_media.byte_size > seller.quota_bytes:
                    raise violations.capacity_exceeded(seller.used_bytes, new_media.byte_size, seller.quota_bytes)
                folder_id = new_media.folder_id
                if folder_id is None:
                    folder_id = folder_rows.get_default_folder(connection, seller_id, new_media.kind).id
                    new_media = dataclasses.replace(new_media, folder_id=folder_id)
                media = media_rows.insert_media(connection, new_media)
                seller_rows.add_used_bytes(connection, seller_id, new_media.byte_size)
                folder_rows.add_item_count(connection, folder_id, 1)
                if key:
                    upload_rows.save_upload_result(
                        connection, seller_id, key, UploadResultRecord(media.id, False, None, None, None, None)
                    )
        except psycopg.errors.UniqueViolation as error:
            if constraint_of(error) != media_rows.LIVE_SHA256_CONSTRAINT:
                raise
            winner = self._find_live_duplicate(seller_id, new_media.sha256)
            if winner is None:
                raise
            logger.info(
                "identical upload finished first; returning it as a duplicate",
                extra={"seller_id": str(seller_id), "media_id": str(winner.id)},
            )
            self._remember_media(seller_id, key, winner.id, duplicate=True)
            return UploadOutcome(winner, duplicate=True)
        except psycopg.errors.ForeignKeyViolation:
            # The target folder was deleted while the file was being checked and stored.
            raise folder_not_found(new_media.folder_id) from None
        return UploadOutcome(media, duplicate=False)

    def _find_live_duplicate(self, seller_id: uuid.UUID, sha256: str) -> MediaRecord | None:
        with self._pool.connection() as connection:
            return media_rows.find_live_by_sha256(connection, seller_id, sha256)

    def _replay(self, seller_id: uuid.UUID, key: str) -> UploadOutcome | None:
        """Return (or raise) the first result stored for this key, or None when there is none."""
        with self._pool.connection() as connection:
            stored = upload_rows.get_upload_result(connection, seller_id, key)
            if stored is None:
                return None
            if stored.media_id is not None:
                media = media_rows.get_media_even_deleted(connection, seller_id, stored.media_id)
                return UploadOutcome(media, stored.duplicate) if media else None
        rejection = common_pb2.Rejection.FromString(stored.rejection or b"")
        raise ErrorDetails(
            code=grpc.StatusCode[stored.error_code],
            message=stored.error_message or "",
            reason=stored.error_reason or "",
            violations=list(rejection.violations),
            policy_version=rejection.policy_version,
        ).to_domain_error()

    def _remember_media(self, seller_id: uuid.UUID, key: str, media_id: uuid.UUID, *, duplicate: bool) -> None:
        if not key:
            return
        with self._pool.connection() as connection:
            upload_rows.save_upload_result(
                connection, seller_id, key, UploadResultRecord(media_id, duplicate, None, None, None, None)
            )

    def _remember_error(self, seller_id: uuid.UUID, key: str, error: DomainError) -> None:
        rejection = common_pb2.Rejection(violations=error.violations, policy_version=error.policy_version)
        record = UploadResultRecord(
            None, False, error.status_code.name, error.reason, error.message, rejection.SerializeToString()
        )
        with self._pool.connection() as connection:
            upload_rows.save_upload_result(connection, seller_id, key, record)
