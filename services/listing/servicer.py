"""The gRPC face of the listing service: protobuf in, domain calls, protobuf out."""

from __future__ import annotations

from mediacenter.listing.v1 import listing_pb2, listing_pb2_grpc

from services.listing.service import ListingService, ListingView
from services.listing.slots import ListingSlots


class ListingServicer(listing_pb2_grpc.ListingServiceServicer):
    """Translates ListingService calls to the domain; errors become statuses in the shared interceptor."""

    def __init__(self, service: ListingService) -> None:
        self._service = service

    def SetListingMedia(self, request, context):
        slots = ListingSlots(tuple(request.image_ids), request.video_id, request.size_chart_id)
        expected = request.expected_version if request.HasField("expected_version") else None
        view = self._service.set_listing_media(request.seller_id, request.listing_id, slots, expected)
        return _listing_media(view)

    def GetListingMedia(self, request, context):
        return _listing_media(self._service.get_listing_media(request.seller_id, request.listing_id))

    def ExportMediaUrls(self, request, context):
        urls = self._service.export_media_urls(request.seller_id, list(request.media_ids))
        return listing_pb2.ExportMediaUrlsResponse(urls=urls, text="\n".join(urls))

    def ExportListingsCsv(self, request, context):
        csv_text = self._service.export_listings_csv(request.seller_id, list(request.listing_ids))
        return listing_pb2.ExportListingsCsvResponse(csv=csv_text)

    def GetMediaUsage(self, request, context):
        listing_ids = self._service.get_media_usage(request.seller_id, request.media_id)
        return listing_pb2.GetMediaUsageResponse(listing_ids=listing_ids)

    def DeleteMedia(self, request, context):
        result = self._service.delete_media(request.seller_id, request.media_id, detach=request.detach)
        return listing_pb2.DeleteMediaResponse(
            detached_listing_ids=result.detached_listing_ids, freed_bytes=result.freed_bytes
        )


def _listing_media(view: ListingView) -> listing_pb2.ListingMedia:
    message = listing_pb2.ListingMedia(listing_id=view.listing_id, images=view.images, version=view.version)
    if view.video is not None:
        message.video.CopyFrom(view.video)
    if view.size_chart is not None:
        message.size_chart.CopyFrom(view.size_chart)
    return message
