"""An in-memory catalogue service that the listing tests start on a free port."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent import futures
from dataclasses import dataclass

import grpc
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from mediacenter.common.v1 import common_pb2

PUBLIC_BASE = "http://127.0.0.1:8080"


class FakeCatalogue(catalogue_pb2_grpc.CatalogueServiceServicer):
    """Keeps media per seller in a dict; implements BatchGetMedia and DeleteMedia like the real catalogue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._media: dict[str, dict[str, common_pb2.Media]] = {}
        self.batch_get_calls = 0
        self.deleted_ids: set[str] = set()
        # Seconds each BatchGetMedia waits between reading the items and responding, like a slow network.
        self.lookup_delay_seconds = 0.0
        # When set, DeleteMedia fails with this code: before deleting, or after it, like a lost response.
        self.delete_failure: grpc.StatusCode | None = None
        self.delete_failure_after_deleting = False

    def add_media(
        self,
        seller_id: str,
        kind: int = common_pb2.MEDIA_KIND_IMAGE,
        *,
        file_name: str = "",
        byte_size: int = 1000,
    ) -> str:
        """Add a live media item for the seller and return its id."""
        media_id = str(uuid.uuid4())
        if not file_name:
            file_name = "photo.jpg" if kind == common_pb2.MEDIA_KIND_IMAGE else "clip.mp4"
        media = common_pb2.Media(
            id=media_id,
            seller_id=seller_id,
            name=file_name,
            kind=kind,
            file_name=file_name,
            url=f"{PUBLIC_BASE}/media/{media_id}/{file_name}",
            preview_url=f"{PUBLIC_BASE}/media/{media_id}/preview.webp",
            metadata=common_pb2.MediaMetadata(byte_size=byte_size),
        )
        with self._lock:
            self._media.setdefault(seller_id, {})[media_id] = media
        return media_id

    def add_video(self, seller_id: str, **options) -> str:
        return self.add_media(seller_id, common_pb2.MEDIA_KIND_VIDEO, **options)

    def remove_behind_listings_back(self, seller_id: str, media_id: str) -> None:
        """Delete an item the way a direct catalogue call would, without asking the listing service."""
        with self._lock:
            del self._media[seller_id][media_id]
            self.deleted_ids.add(media_id)

    def live_ids(self, seller_id: str) -> set[str]:
        with self._lock:
            return set(self._media.get(seller_id, {}))

    def BatchGetMedia(self, request, context):
        with self._lock:
            self.batch_get_calls += 1
            items = self._media.get(request.seller_id)
        if items is None:
            # Like the real catalogue, which reports a seller it does not know.
            context.abort(
                grpc.StatusCode.NOT_FOUND, f"Seller {request.seller_id} not found: check the seller id."
            )
        with self._lock:
            response = catalogue_pb2.BatchGetMediaResponse()
            for media_id in dict.fromkeys(request.media_ids):
                if media_id in items:
                    response.media.append(items[media_id])
                else:
                    response.missing_ids.append(media_id)
        time.sleep(self.lookup_delay_seconds)
        return response

    def DeleteMedia(self, request, context):
        if self.delete_failure is not None and not self.delete_failure_after_deleting:
            context.abort(self.delete_failure, "The catalogue failed before deleting.")
        with self._lock:
            media = self._media.get(request.seller_id, {}).pop(request.media_id, None)
            if media is not None:
                self.deleted_ids.add(request.media_id)
        if media is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Media {request.media_id!r} was not found.")
        if self.delete_failure is not None:
            context.abort(self.delete_failure, "The response was lost after the delete.")
        return catalogue_pb2.DeleteMediaResponse(freed_bytes=media.metadata.byte_size)


@dataclass
class RunningFake:
    catalogue: FakeCatalogue
    server: grpc.Server
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def start_fake_catalogue() -> RunningFake:
    """Start the fake catalogue on a free loopback port."""
    catalogue = FakeCatalogue()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="fake-catalogue"))
    catalogue_pb2_grpc.add_CatalogueServiceServicer_to_server(catalogue, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return RunningFake(catalogue, server, port)
