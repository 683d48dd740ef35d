"""SQL for the listing tables. Every function runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import psycopg

from services.listing.database import media_lock_key
from services.listing.slots import ListingSlots


@dataclass(frozen=True)
class StoredListing:
    """A listing as stored: its id, its version and the media ids in its slots."""

    listing_id: str
    version: int
    slots: ListingSlots


def lock_media(connection: psycopg.Connection, media_ids: Iterable[str]) -> None:
    """Take the transaction lock of each media item, in one global order so that no two callers deadlock."""
    for key in sorted({media_lock_key(media_id) for media_id in media_ids}):
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (key,))


def lock_listing_for_write(connection: psycopg.Connection, seller_id: str, listing_id: str) -> int:
    """Lock the listing row, creating it if needed, and return its version (0 for a listing not set yet).

    A new row is inserted with version 1, the version its first write gives,
    and the transaction either writes it or rolls back. A concurrent first
    write of the same listing waits on the inserted row and then finds version 1.
    """
    inserted = connection.execute(
        """
        INSERT INTO listing.listings (seller_id, listing_id, version)
        VALUES (%s, %s, 1)
        ON CONFLICT (seller_id, listing_id) DO NOTHING
        RETURNING version
        """,
        (seller_id, listing_id),
    ).fetchone()
    if inserted is not None:
        return 0
    (version,) = connection.execute(
        "SELECT version FROM listing.listings WHERE seller_id = %s AND listing_id = %s FOR UPDATE",
        (seller_id, listing_id),
    ).fetchone()
    return version


def lock_listings(
    connection: psycopg.Connection, seller_id: str, listing_ids: Iterable[str]
) -> dict[str, int]:
    """Lock the given listing rows in id order and return their versions by listing id."""
    rows = connection.execute(
        """
        SELECT listing_id, version FROM listing.listings
        WHERE seller_id = %s AND listing_id = ANY(%s)
        ORDER BY listing_id COLLATE "C"
        FOR UPDATE
        """,
        (seller_id, list(listing_ids)),
    ).fetchall()
    return dict(rows)


def write_listing(
    connection: psycopg.Connection, seller_id: str, listing_id: str, slots: ListingSlots, version: int
) -> None:
    """Replace the media of a locked listing row and set its version."""
    connection.execute(
        "UPDATE listing.listings SET version = %s, updated_at = now() WHERE seller_id = %s AND listing_id = %s",
        (version, seller_id, listing_id),
    )
    connection.execute(
        "DELETE FROM listing.listing_media WHERE seller_id = %s AND listing_id = %s", (seller_id, listing_id)
    )
    rows = [
        (seller_id, listing_id, "image", position, media_id) for position, media_id in enumerate(slots.images)
    ]
    if slots.video_id:
        rows.append((seller_id, listing_id, "video", 0, slots.video_id))
    if slots.size_chart_id:
        rows.append((seller_id, listing_id, "size_chart", 0, slots.size_chart_id))
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                """
                INSERT INTO listing.listing_media (seller_id, listing_id, slot, position, media_id)
                VALUES (%s, %s, %s, %s, %s)
                """,
                rows,
            )


def load_listings(
    connection: psycopg.Connection, seller_id: str, listing_ids: Iterable[str]
) -> dict[str, StoredListing]:
    """Return the seller's listings among `listing_ids` by id; unknown ids are absent."""
    versions = connection.execute(
        "SELECT listing_id, version FROM listing.listings WHERE seller_id = %s AND listing_id = ANY(%s)",
        (seller_id, list(listing_ids)),
    ).fetchall()
    if not versions:
        return {}
    media_rows = connection.execute(
        """
        SELECT listing_id, slot, media_id FROM listing.listing_media
        WHERE seller_id = %s AND listing_id = ANY(%s)
        ORDER BY listing_id, slot, position
        """,
        (seller_id, [listing_id for listing_id, _version in versions]),
    ).fetchall()
    images: dict[str, list[str]] = {listing_id: [] for listing_id, _version in versions}
    videos: dict[str, str] = {}
    size_charts: dict[str, str] = {}
    for listing_id, slot, media_id in media_rows:
        if slot == "image":
            images[listing_id].append(media_id)
        elif slot == "video":
            videos[listing_id] = media_id
        else:
            size_charts[listing_id] = media_id
    return {
        listing_id: StoredListing(
            listing_id,
            version,
            ListingSlots(
                tuple(images[listing_id]), videos.get(listing_id, ""), size_charts.get(listing_id, "")
            ),
        )
        for listing_id, version in versions
    }


def listings_using(connection: psycopg.Connection, seller_id: str, media_id: str) -> list[str]:
    """Return the sorted ids of the seller's listings that use the media item."""
    rows = connection.execute(
        """
        SELECT DISTINCT listing_id COLLATE "C" AS listing_id FROM listing.listing_media
        WHERE seller_id = %s AND media_id = %s
        ORDER BY 1
        """,
        (seller_id, media_id),
    ).fetchall()
    return [listing_id for (listing_id,) in rows]
