"""In-memory catalogue, listing and storage services for gateway tests, served over real gRPC on port 0.

They follow the contracts closely enough for the gateway: scoping by seller,
the upload stream (header then chunks, a cut at 10 MB), duplicates,
idempotency keys, capacity, folders, listings with versions, and the error
codes with rich details. Errors are raised as DomainError subclasses, so the
shared server interceptor turns them into statuses through DomainError.to_status.
`failures` makes the calls of a method fail with a chosen error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
import time
import uuid
from dataclasses import dataclass, field

from google.protobuf import struct_pb2, timestamp_pb2
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from mediacenter.common.v1 import common_pb2
from mediacenter.listing.v1 import listing_pb2, listing_pb2_grpc
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc
from PIL import Image

from services.runtime import errors
from services.runtime.context import current_request_id
from services.runtime.server import RunningServer, build_server
from services.runtime.settings import ServiceSettings

PUBLIC_BASE_URL = "http://gateway.test"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
DEFAULT_QUOTA = 5 * 1024**3
FAKE_PREVIEW = b"RIFF\x1a\x00\x00\x00WEBPVP8 fake preview bytes"
BLOB_CHUNK_BYTES = 256 * 1024


class FailureInjector:
    """Make every call of a named method fail with a given domain error, until the entry is removed."""

    def __init__(self) -> None:
        self.failures: dict[str, errors.DomainError] = {}
        # (method, request id) of every call, in order.
        self.calls: list[tuple[str, str]] = []

    def check(self, method: str) -> None:
        self.calls.append((method, current_request_id()))
        failure = self.failures.get(method)
        if failure is not None:
            raise failure


class FakeStorage(storage_pb2_grpc.StorageServiceServicer, FailureInjector):
    def __init__(self) -> None:
        FailureInjector.__init__(self)
        self.blobs: dict[str, bytes] = {}
        self.get_calls: list[tuple[str, int, int]] = []
        # Seconds GetBlob waits before each message, to play a slow disk or network.
        self.message_delay = 0.0

    def GetBlob(self, request, context):
        self.check("GetBlob")
        data = self.blobs.get(request.key)
        if data is None:
            raise errors.NotFound("blob_not_found", f"No blob has the key {request.key!r}.")
        if request.offset > len(data):
            raise errors.OutOfRange("range_out_of_bounds", f"The blob has {len(data)} bytes.")
        self.get_calls.append((request.key, request.offset, request.length))
        end = len(data) if request.length == 0 else min(len(data), request.offset + request.length)
        info = storage_pb2.BlobInfo(key=request.key, byte_size=len(data))
        position = request.offset
        first = True
        while first or position < end:
            time.sleep(self.message_delay)
            chunk = data[position:min(end, position + BLOB_CHUNK_BYTES)]
            yield storage_pb2.GetBlobResponse(info=info if first else None, chunk=chunk)
            position += len(chunk)
            first = False

    def StatBlob(self, request, context):
        self.check("StatBlob")
        data = self.blobs.get(request.key)
        if data is None:
            raise errors.NotFound("blob_not_found", f"No blob has the key {request.key!r}.")
        return storage_pb2.BlobInfo(key=request.key, byte_size=len(data))


@dataclass
class SellerState:
    seller_id: str
    quota: int = DEFAULT_QUOTA
    folders: dict[str, catalogue_pb2.Folder] = field(default_factory=dict)
    idempotent_results: dict[str, catalogue_pb2.UploadMediaResponse] = field(default_factory=dict)


class FakeCatalogue(catalogue_pb2_grpc.CatalogueServiceServicer, FailureInjector):
    def __init__(self, storage: FakeStorage) -> None:
        FailureInjector.__init__(self)
        self.storage = storage
        self.lock = threading.Lock()
        self.sellers: dict[str, SellerState] = {}
        self.api_keys: dict[str, str] = {}
        self.media: dict[str, common_pb2.Media] = {}
        self.upload_headers: list[catalogue_pb2.UploadHeader] = []
        self.chunk_sizes: list[int] = []
        self.stored_uploads = 0

    # Test helpers

    def create_seller(self, quota: int = DEFAULT_QUOTA) -> tuple[str, str]:
        """Create a seller with its two default folders; return (seller id, API key)."""
        seller = SellerState(seller_id=str(uuid.uuid4()), quota=quota)
        for kind, name in ((common_pb2.MEDIA_KIND_IMAGE, "Images"), (common_pb2.MEDIA_KIND_VIDEO, "Videos")):
            folder = catalogue_pb2.Folder(id=str(uuid.uuid4()), name=name, kind=kind, is_default=True)
            seller.folders[folder.id] = folder
        api_key = "mc_" + uuid.uuid4().hex
        with self.lock:
            self.sellers[seller.seller_id] = seller
            self.api_keys[api_key] = seller.seller_id
        return seller.seller_id, api_key

    def revoke(self, api_key: str) -> None:
        with self.lock:
            self.api_keys.pop(api_key)

    def add_media(self, seller_id: str, data: bytes, name: str, created_at: int = 1_764_800_000) -> common_pb2.Media:
        """Store a media item directly, as if uploaded; the kind comes from the bytes."""
        with self.lock:
            return self._store(self.sellers[seller_id], data, name, "", created_at)

    def default_folder(self, seller_id: str, kind: int) -> catalogue_pb2.Folder:
        return next(f for f in self.sellers[seller_id].folders.values() if f.is_default and f.kind == kind)

    # Lookups shared with the fake listing service

    def live_media(self, seller_id: str, media_id: str) -> common_pb2.Media | None:
        media = self.media.get(media_id)
        if media is None or media.seller_id != seller_id:
            return None
        return media

    # RPCs

    def AuthenticateApiKey(self, request, context):
        self.check("AuthenticateApiKey")
        seller_id = self.api_keys.get(request.api_key)
        if seller_id is None:
            raise errors.Unauthenticated("invalid_api_key", "The API key is unknown or revoked.")
        return catalogue_pb2.AuthenticateApiKeyResponse(seller_id=seller_id, api_key_id="key-" + seller_id[:8])

    def GetCapacity(self, request, context):
        self.check("GetCapacity")
        seller = self._seller(request.seller_id)
        used = sum(m.metadata.byte_size for m in self.media.values() if m.seller_id == seller.seller_id)
        return catalogue_pb2.Capacity(used_bytes=used, total_bytes=seller.quota)

    def ListFolders(self, request, context):
        self.check("ListFolders")
        seller = self._seller(request.seller_id)
        folders = sorted(seller.folders.values(), key=lambda f: (not f.is_default, f.name.lower()))
        counted = []
        for folder in folders:
            copy = catalogue_pb2.Folder()
            copy.CopyFrom(folder)
            copy.item_count = sum(1 for m in self.media.values() if m.folder_id == folder.id)
            counted.append(copy)
        return catalogue_pb2.ListFoldersResponse(folders=counted)

    def CreateFolder(self, request, context):
        self.check("CreateFolder")
        seller = self._seller(request.seller_id)
        name = request.name.strip()
        if not name or len(name) > 100:
            raise errors.InvalidArgument(
                "invalid_folder_name", "A folder name must have 1 to 100 characters.",
                field_violations=[("name", "must have 1 to 100 characters")],
            )
        with self.lock:
            self._check_name_free(seller, name, request.kind)
            folder = catalogue_pb2.Folder(id=str(uuid.uuid4()), name=name, kind=request.kind)
            seller.folders[folder.id] = folder
        return folder

    def RenameFolder(self, request, context):
        self.check("RenameFolder")
        seller = self._seller(request.seller_id)
        folder = self._folder(seller, request.folder_id)
        with self.lock:
            self._check_name_free(seller, request.name.strip(), folder.kind)
            folder.name = request.name.strip()
        return folder

    def DeleteFolder(self, request, context):
        self.check("DeleteFolder")
        seller = self._seller(request.seller_id)
        folder = self._folder(seller, request.folder_id)
        if folder.is_default:
            raise errors.FailedPrecondition("default_folder", "A default folder cannot be deleted.")
        if any(m.folder_id == folder.id for m in self.media.values()):
            raise errors.FailedPrecondition("folder_not_empty", f"The folder {folder.name!r} is not empty.")
        del seller.folders[folder.id]
        return catalogue_pb2.DeleteFolderResponse()

    def UploadMedia(self, request_iterator, context):
        self.check("UploadMedia")
        first = next(request_iterator)
        header = first.header
        self.upload_headers.append(header)
        seller = self._seller(header.seller_id)
        if header.idempotency_key and header.idempotency_key in seller.idempotent_results:
            return seller.idempotent_results[header.idempotency_key]

        buffer = bytearray()
        ended = False
        for message in request_iterator:
            if message.WhichOneof("part") == "end":
                if message.end.byte_size != len(buffer):
                    raise errors.InvalidArgument("upload_size_mismatch", "The end message has another size.")
                ended = True
                continue
            chunk = message.chunk
            self.chunk_sizes.append(len(chunk))
            buffer += chunk
            if len(buffer) > MAX_UPLOAD_BYTES:
                raise errors.ResourceExhausted(
                    "file_too_large", "The file is larger than 10 MB.",
                    violations=[_violation("file_too_large", "The file is larger than 10 MB.", len(buffer), MAX_UPLOAD_BYTES, "bytes")],
                )
        if not ended:
            # A sync gRPC server ends the request iterator normally when the client cancels, so only the
            # end message distinguishes a whole file from a cut one.
            raise errors.InvalidArgument("upload_incomplete", "The upload stream ended without its end message.")
        data = bytes(buffer)
        kind = _kind_of(data)
        if kind == common_pb2.MEDIA_KIND_UNSPECIFIED:
            raise errors.InvalidArgument(
                "upload_rejected", "The file breaks the upload rules.",
                violations=[_violation("unsupported_format", "The file is not a JPEG, PNG or MP4.", "unknown", "jpeg, png, mp4", "format")],
                policy_version="v1",
            )
        if kind == common_pb2.MEDIA_KIND_IMAGE and len(data) > MAX_IMAGE_BYTES:
            raise errors.ResourceExhausted(
                "file_too_large", "The image is larger than 5 MB.",
                violations=[_violation("file_too_large", "The image is larger than 5 MB.", len(data), MAX_IMAGE_BYTES, "bytes")],
            )

        with self.lock:
            sha = hashlib.sha256(data).hexdigest()
            existing = next((m for m in self.media.values() if m.seller_id == seller.seller_id and m.sha256 == sha), None)
            if existing is not None:
                response = catalogue_pb2.UploadMediaResponse(media=existing, duplicate=True)
            else:
                used = sum(m.metadata.byte_size for m in self.media.values() if m.seller_id == seller.seller_id)
                if used + len(data) > seller.quota:
                    raise errors.ResourceExhausted(
                        "capacity_exceeded", "The file does not fit in the storage quota.",
                        violations=[_violation("capacity_exceeded", "The file does not fit.", used + len(data), seller.quota, "bytes")],
                    )
                name = header.name or header.file_name.replace("\\", "/").rsplit("/", 1)[-1][:255]
                media = self._store(seller, data, name, header.folder_id, 1_764_800_000)
                response = catalogue_pb2.UploadMediaResponse(media=media, duplicate=False)
            if header.idempotency_key:
                seller.idempotent_results[header.idempotency_key] = response
        return response

    def GetMedia(self, request, context):
        self.check("GetMedia")
        return self._media(request.seller_id, request.media_id)

    def SearchMedia(self, request, context):
        self.check("SearchMedia")
        if request.created_on and (request.created_from or request.created_to):
            raise errors.InvalidArgument(
                "invalid_date_filter", "created_on cannot be combined with a range.",
                field_violations=[("created_on", "cannot be combined with created_from or created_to")],
            )
        found = [
            m for m in self.media.values()
            if m.seller_id == request.seller_id
            and request.query.lower() in m.name.lower()
            and (not request.kind or m.kind == request.kind)
            and (not request.folder_id or m.folder_id == request.folder_id)
        ]
        found.sort(key=lambda m: m.created_at.seconds, reverse=True)
        start = int(request.cursor or 0)
        limit = request.limit or 50
        page = found[start:start + limit]
        next_cursor = str(start + limit) if start + limit < len(found) else ""
        return catalogue_pb2.SearchMediaResponse(items=page, next_cursor=next_cursor)

    def UpdateMedia(self, request, context):
        self.check("UpdateMedia")
        media = self._media(request.seller_id, request.media_id)
        if request.HasField("folder_id"):
            folder = self._folder(self._seller(request.seller_id), request.folder_id)
            if folder.kind != media.kind:
                raise errors.FailedPrecondition("folder_kind_mismatch", "The folder holds the other kind of media.")
            media.folder_id = folder.id
        if request.HasField("name"):
            media.name = request.name
        return media

    def DeleteMedia(self, request, context):
        self.check("DeleteMedia")
        media = self._media(request.seller_id, request.media_id)
        del self.media[media.id]
        return catalogue_pb2.DeleteMediaResponse(freed_bytes=media.metadata.byte_size)

    def ResolvePublicMedia(self, request, context):
        self.check("ResolvePublicMedia")
        media = self.media.get(request.media_id)
        if media is None:
            raise errors.NotFound("media_not_found", f"No media item has the id {request.media_id!r}.")
        return media

    # Helpers

    def _seller(self, seller_id: str) -> SellerState:
        seller = self.sellers.get(seller_id)
        if seller is None:
            raise errors.NotFound("seller_not_found", f"No seller has the id {seller_id!r}.")
        return seller

    def _folder(self, seller: SellerState, folder_id: str) -> catalogue_pb2.Folder:
        folder = seller.folders.get(folder_id)
        if folder is None:
            raise errors.NotFound("folder_not_found", f"No folder has the id {folder_id!r}.")
        return folder

    def _media(self, seller_id: str, media_id: str) -> common_pb2.Media:
        media = self.live_media(seller_id, media_id)
        if media is None:
            raise errors.NotFound("media_not_found", f"No media item has the id {media_id!r}.")
        return media

    def _check_name_free(self, seller: SellerState, name: str, kind: int) -> None:
        if any(f.kind == kind and f.name.lower() == name.lower() for f in seller.folders.values()):
            raise errors.AlreadyExists("folder_name_taken", f"A folder named {name!r} already exists.")

    def _store(self, seller: SellerState, data: bytes, name: str, folder_id: str, created_at: int) -> common_pb2.Media:
        kind = _kind_of(data)
        if folder_id:
            folder = self._folder(seller, folder_id)
            if folder.kind != kind:
                raise errors.InvalidArgument(
                    "folder_kind_mismatch", "The file is of the other kind than the folder holds.",
                    field_violations=[("folder_id", "the folder holds the other kind of media")],
                )
        else:
            folder = self.default_folder(seller.seller_id, kind)

        sha = hashlib.sha256(data).hexdigest()
        media_id = str(uuid.uuid4())
        blob_key = f"{seller.seller_id}/{sha}"
        preview_key = f"{seller.seller_id}/{sha}.webp"
        self.storage.blobs[blob_key] = data
        self.storage.blobs[preview_key] = FAKE_PREVIEW

        file_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "-" for c in name) or "file"
        width, height, fmt, mime = _describe(data, kind)
        media = common_pb2.Media(
            id=media_id,
            seller_id=seller.seller_id,
            name=name,
            kind=kind,
            folder_id=folder.id,
            metadata=common_pb2.MediaMetadata(
                format=fmt, mime_type=mime, byte_size=len(data), width=width, height=height,
                duration_ms=1000 if kind == common_pb2.MEDIA_KIND_VIDEO else 0,
            ),
            sha256=sha,
            created_at=timestamp_pb2.Timestamp(seconds=created_at),
            url=f"{PUBLIC_BASE_URL}/media/{media_id}/{file_name}",
            preview_url=f"{PUBLIC_BASE_URL}/media/{media_id}/preview.webp",
            blob_key=blob_key,
            preview_blob_key=preview_key,
            file_name=file_name,
        )

        self.media[media_id] = media
        self.stored_uploads += 1
        return media


class FakeListing(listing_pb2_grpc.ListingServiceServicer, FailureInjector):
    MAX_IMAGES = 9

    def __init__(self, catalogue: FakeCatalogue) -> None:
        FailureInjector.__init__(self)
        self.catalogue = catalogue
        self.listings: dict[tuple[str, str], listing_pb2.SetListingMediaRequest] = {}
        self.versions: dict[tuple[str, str], int] = {}

    def SetListingMedia(self, request, context):
        self.check("SetListingMedia")
        key = (request.seller_id, request.listing_id)
        violations = []
        if len(request.image_ids) > self.MAX_IMAGES:
            violations.append(("image_ids", f"at most {self.MAX_IMAGES} images, got {len(request.image_ids)}"))
        for index, media_id in enumerate(request.image_ids):
            media = self.catalogue.live_media(request.seller_id, media_id)
            if media is None or media.kind != common_pb2.MEDIA_KIND_IMAGE:
                violations.append((f"image_ids[{index}]", f"{media_id} is not one of your images"))
        if request.video_id:
            media = self.catalogue.live_media(request.seller_id, request.video_id)
            if media is None or media.kind != common_pb2.MEDIA_KIND_VIDEO:
                violations.append(("video_id", f"{request.video_id} is not one of your videos"))
        if violations:
            raise errors.InvalidArgument("invalid_listing_media", "Some media ids cannot be used.", field_violations=violations)
        current = self.versions.get(key, 0)
        if request.HasField("expected_version") and request.expected_version != current:
            raise errors.Aborted(
                "version_conflict",
                f"The listing is at version {current}, not {request.expected_version}. Reload it and try again.",
            )
        stored = listing_pb2.SetListingMediaRequest()
        stored.CopyFrom(request)
        self.listings[key] = stored
        self.versions[key] = current + 1
        return self._listing(key)

    def GetListingMedia(self, request, context):
        self.check("GetListingMedia")
        key = (request.seller_id, request.listing_id)
        if key not in self.listings:
            raise errors.NotFound("listing_not_found", f"The listing {request.listing_id!r} has no media set.")
        return self._listing(key)

    def ExportMediaUrls(self, request, context):
        self.check("ExportMediaUrls")
        urls = []
        for media_id in request.media_ids:
            media = self.catalogue.live_media(request.seller_id, media_id)
            if media is None:
                raise errors.InvalidArgument(
                    "unknown_media", f"No media item has the id {media_id!r}.", field_violations=[("ids", media_id)]
                )
            urls.append(media.url)
        return listing_pb2.ExportMediaUrlsResponse(urls=urls, text="\n".join(urls))

    def ExportListingsCsv(self, request, context):
        self.check("ExportListingsCsv")
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\r\n")
        writer.writerow(["listing_id", "main_image_url", *(f"image_{n}_url" for n in range(2, 10)), "size_chart_url", "video_url"])
        for listing_id in request.listing_ids:
            listing = self._listing((request.seller_id, listing_id)) if (request.seller_id, listing_id) in self.listings else None
            images = [m.url for m in listing.images] if listing else []
            images += [""] * (9 - len(images))
            video = listing.video.url if listing and listing.HasField("video") else ""
            writer.writerow([listing_id, *images, "", video])
        return listing_pb2.ExportListingsCsvResponse(csv=output.getvalue())

    def DeleteMedia(self, request, context):
        self.check("DeleteMedia")
        using = sorted(
            listing_id for (seller_id, listing_id), stored in self.listings.items()
            if seller_id == request.seller_id
            and request.media_id in (*stored.image_ids, stored.video_id, stored.size_chart_id)
        )
        if using and not request.detach:
            raise errors.FailedPrecondition(
                "media_in_use",
                f"The media item is used by {len(using)} listing(s); detach it first or delete with detach.",
                metadata={"listing_ids": ",".join(using)},
            )
        for listing_id in using:
            stored = self.listings[(request.seller_id, listing_id)]
            kept = [image for image in stored.image_ids if image != request.media_id]
            del stored.image_ids[:]
            stored.image_ids.extend(kept)
            if stored.video_id == request.media_id:
                stored.video_id = ""
        freed = self.catalogue.DeleteMedia(
            catalogue_pb2.DeleteMediaRequest(seller_id=request.seller_id, media_id=request.media_id), context
        ).freed_bytes
        return listing_pb2.DeleteMediaResponse(detached_listing_ids=using, freed_bytes=freed)

    def _listing(self, key: tuple[str, str]) -> listing_pb2.ListingMedia:
        stored = self.listings[key]
        seller_id = key[0]
        listing = listing_pb2.ListingMedia(listing_id=key[1], version=self.versions[key])
        listing.images.extend(self.catalogue.media[i] for i in stored.image_ids if i in self.catalogue.media)
        if stored.video_id and stored.video_id in self.catalogue.media:
            listing.video.CopyFrom(self.catalogue.live_media(seller_id, stored.video_id))
        return listing


@dataclass
class FakeServices:
    storage: FakeStorage
    catalogue: FakeCatalogue
    listing: FakeListing
    servers: dict[str, RunningServer]

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.servers[name].port}"

    def stop(self, name: str) -> None:
        self.servers[name].stop(0)

    def stop_all(self) -> None:
        for server in self.servers.values():
            server.stop(0)


def start_fake_services() -> FakeServices:
    """Start the three fakes on free loopback ports."""
    storage = FakeStorage()
    catalogue = FakeCatalogue(storage)
    listing = FakeListing(catalogue)
    settings = ServiceSettings(grpc_host="127.0.0.1", grpc_port=0, metrics_port=-1, grpc_workers=8)
    servers = {
        "storage": build_server(
            settings,
            service_names=["mediacenter.storage.v1.StorageService"],
            register=lambda server: storage_pb2_grpc.add_StorageServiceServicer_to_server(storage, server),
        ),
        "catalogue": build_server(
            settings,
            service_names=["mediacenter.catalogue.v1.CatalogueService"],
            register=lambda server: catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(catalogue, server),
        ),
        "listing": build_server(
            settings,
            service_names=["mediacenter.listing.v1.ListingService"],
            register=lambda server: listing_pb2_grpc.add_ListingServiceServicer_to_server(listing, server),
        ),
    }
    return FakeServices(storage, catalogue, listing, servers)


def _kind_of(data: bytes) -> int:
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return common_pb2.MEDIA_KIND_IMAGE
    if data[4:8] == b"ftyp":
        return common_pb2.MEDIA_KIND_VIDEO
    return common_pb2.MEDIA_KIND_UNSPECIFIED


def _describe(data: bytes, kind: int) -> tuple[int, int, str, str]:
    if kind == common_pb2.MEDIA_KIND_VIDEO:
        return 640, 360, "mp4", "video/mp4"
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except OSError:
        width, height = 0, 0
    if data.startswith(b"\x89PNG"):
        return width, height, "png", "image/png"
    return width, height, "jpeg", "image/jpeg"


def _violation(code: str, message: str, measured, limit, unit: str) -> common_pb2.Violation:
    return common_pb2.Violation(
        code=code, message=message, measured=_value(measured), limit=_value(limit), unit=unit
    )


def _value(value) -> struct_pb2.Value:
    packed = struct_pb2.Value()
    if isinstance(value, str):
        packed.string_value = value
    else:
        packed.number_value = value
    return packed
