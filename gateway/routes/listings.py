"""Listing media: which images, video and size chart a product listing uses, and CSV export."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from mediacenter.listing.v1 import listing_pb2

from gateway import schemas
from gateway.auth import Seller, authenticated_seller
from gateway.convert import listing_json
from gateway.errors import ApiError

router = APIRouter(prefix="/v1/listings", tags=["listings"])
AuthSeller = Annotated[Seller, Depends(authenticated_seller)]

_VERSION_TAG = re.compile(r'^(?:W/)?"v(\d{1,18})"$')
# The listing service accepts at most this many listings per export.
MAX_EXPORT_LISTINGS = 500


def listing_etag(version: int) -> str:
    return f'"v{version}"'


def parse_if_match(value: str) -> int:
    """Return the listing version named by an If-Match header such as "v3"."""
    match = _VERSION_TAG.match(value.strip())
    if match is None:
        raise ApiError(
            400, "malformed_request", "Malformed request",
            f'The If-Match header {value[:100]!r} is not a listing version; send the ETag of a GET, like "v3".',
        )
    return int(match.group(1))


@router.put(
    "/{listing_id}/media",
    response_model=schemas.ListingMedia,
    summary="Replace a listing's media",
    description=(
        "At most 9 images (the first is the main image), 1 video and 1 size chart; 422 names the offending ids. "
        'With If-Match: "v<version>" the write applies only at that version, otherwise 412.'
    ),
    responses=schemas.problems(400, 401, 412, 422),
)
async def set_listing_media(
    request: Request,
    seller: AuthSeller,
    listing_id: str,
    body: schemas.ListingMediaUpdate,
    if_match: Annotated[str | None, Header(description='ETag of the version this write expects, like "v3".')] = None,
) -> JSONResponse:
    update = listing_pb2.SetListingMediaRequest(
        seller_id=seller.seller_id,
        listing_id=listing_id,
        image_ids=body.images,
        video_id=body.video or "",
        size_chart_id=body.size_chart or "",
    )
    if if_match is not None:
        update.expected_version = parse_if_match(if_match)
    listing = await request.app.state.backends.listing.SetListingMedia(update)
    return JSONResponse(listing_json(listing), headers={"ETag": listing_etag(listing.version)})


@router.get(
    "/export.csv",
    response_class=Response,
    summary="Bulk-listing CSV of listings",
    description="One row per listing: id, main image URL, image 2 to 9 URLs, size chart URL, video URL.",
    responses={200: {"content": {"text/csv": {}}}, **schemas.problems(400, 401, 404, 422)},
)
async def export_listings_csv(
    request: Request,
    seller: AuthSeller,
    ids: Annotated[str, Query(description="Listing ids separated by commas, 1 to 500.")] = "",
) -> Response:
    listing_ids = [listing_id.strip() for listing_id in ids.split(",") if listing_id.strip()]
    if not listing_ids:
        raise ApiError(
            400, "malformed_request", "Malformed request",
            "The ids parameter is empty: give listing ids separated by commas, like ?ids=a,b,c.",
            invalid_params=[{"name": "ids", "reason": "at least one listing id is required"}],
        )
    if len(listing_ids) > MAX_EXPORT_LISTINGS:
        raise ApiError(
            400, "malformed_request", "Malformed request",
            f"{len(listing_ids)} listing ids were given; export at most {MAX_EXPORT_LISTINGS} at a time.",
            invalid_params=[{"name": "ids", "reason": f"at most {MAX_EXPORT_LISTINGS} listing ids"}],
        )
    response = await request.app.state.backends.listing.ExportListingsCsv(
        listing_pb2.ExportListingsCsvRequest(seller_id=seller.seller_id, listing_ids=listing_ids)
    )
    return Response(
        response.csv.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="listings.csv"'},
    )


@router.get(
    "/{listing_id}/media",
    response_model=schemas.ListingMedia,
    summary="A listing's media in order, with the version as ETag",
    description="404 for a listing whose media was never set.",
    responses=schemas.problems(401, 404),
)
async def get_listing_media(request: Request, seller: AuthSeller, listing_id: str) -> JSONResponse:
    listing = await request.app.state.backends.listing.GetListingMedia(
        listing_pb2.GetListingMediaRequest(seller_id=seller.seller_id, listing_id=listing_id)
    )
    return JSONResponse(listing_json(listing), headers={"ETag": listing_etag(listing.version)})
