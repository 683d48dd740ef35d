"""The bulk-listing CSV: one row per listing, one column per media slot."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from services.listing.slots import MAX_IMAGES

if TYPE_CHECKING:
    from services.listing.service import ListingView

CSV_HEADER = (
    "listing_id",
    "main_image_url",
    *(f"image_{number}_url" for number in range(2, MAX_IMAGES + 1)),
    "size_chart_url",
    "video_url",
)


def listings_csv(listings: Iterable[ListingView]) -> str:
    """Return RFC 4180 CSV (CRLF line ends, fields quoted only when needed) with a header row.

    A slot without media, or whose item the catalogue no longer has, is an empty cell.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for listing in listings:
        image_urls = [media.url for media in listing.images]
        image_urls += [""] * (MAX_IMAGES - len(image_urls))
        writer.writerow(
            [
                listing.listing_id,
                *image_urls,
                listing.size_chart.url if listing.size_chart else "",
                listing.video.url if listing.video else "",
            ]
        )
    return buffer.getvalue()
