"""The listing rules: setting a listing's media, reading and exporting it, and deletes that respect listings."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from mediacenter.common.v1 import common_pb2
from psycopg_pool import ConnectionPool

from services.listing import exports, repository
from services.listing.catalogue import CatalogueClient, is_media_id
from services.listing.database import translated_errors
from services.listing.errors import invalid_ids, require
from services.listing.slots import (
    MAX_EXPORT_IDS,
    ListingSlots,
    check_found,
    check_slots,
    listing_id_problem,
)
from services.runtime.errors import Aborted, DomainError, FailedPrecondition, InvalidArgument, NotFound

logger = logging.getLogger(__name__)

# A media-in-use error names at most this many listings, so that its details fit in the
# 8 KiB of response metadata that gRPC clients accept by default (grpcio 1.85). GetMediaUsage lists all.
MAX_NAMED_LISTINGS = 20


@dataclass(frozen=True)
class ListingView:
    """A listing's media as callers see it: live items in order, with their URLs."""

    listing_id: str
    version: int
    images: list[common_pb2.Media]
    video: common_pb2.Media | None
    size_chart: common_pb2.Media | None


@dataclass(frozen=True)
class DeleteResult:
    """Outcome of a delete: the listings the item was removed from and the bytes freed."""

    detached_listing_ids: list[str]
    freed_bytes: int


class ListingService:
    """Keeps each listing's media in its slots and guards deletes of media that listings use."""

    def __init__(self, pool: ConnectionPool, catalogue: CatalogueClient) -> None:
        self._pool = pool
        self._catalogue = catalogue

    def set_listing_media(
        self, seller_id: str, listing_id: str, slots: ListingSlots, expected_version: int | None
    ) -> ListingView:
        """Replace a listing's media after checking every id with the catalogue in one call.

        The media locks are held from before the catalogue lookup until the
        commit, so a concurrent DeleteMedia of one of these items either
        finishes first (and the lookup misses the item) or waits and then finds
        this listing using it.
        """
        started = time.perf_counter()
        _require_seller(seller_id)
        _require_listing_id(listing_id)
        if expected_version is not None and expected_version < 0:
            message = (
                f"expected_version is {expected_version}; give 0 for a new listing or its current version."
            )
            raise InvalidArgument(
                "invalid_version", message, field_violations=[("expected_version", message)]
            )

        check = check_slots(slots)
        with (
            translated_errors("set the listing media"),
            self._pool.connection() as connection,
            connection.transaction(),
        ):
            lookup_ids = [entry.media_id for entry in check.entries]
            repository.lock_media(connection, lookup_ids)
            found = self._catalogue.batch_get_media(seller_id, lookup_ids).found if lookup_ids else {}
            violations = check.violations + check_found(check.entries, found)
            if violations:
                raise invalid_ids(
                    f"The media of listing {listing_id!r} were not changed", _in_request_order(violations)
                )

            current_version = repository.lock_listing_for_write(connection, seller_id, listing_id)
            if expected_version is not None and expected_version != current_version:
                raise Aborted(
                    "version_mismatch",
                    _version_mismatch_message(listing_id, expected_version, current_version),
                    metadata={"current_version": str(current_version)},
                )
            new_version = current_version + 1
            repository.write_listing(connection, seller_id, listing_id, slots, new_version)

        logger.info(
            "set listing media",
            extra={
                "seller_id": seller_id,
                "listing_id": listing_id,
                "version": new_version,
                "images": len(slots.images),
                "elapsed_ms": _elapsed_ms(started),
            },
        )
        return _view(seller_id, repository.StoredListing(listing_id, new_version, slots), found)

    def get_listing_media(self, seller_id: str, listing_id: str) -> ListingView:
        """Return a listing's live media in order; NOT_FOUND for a listing whose media were never set."""
        started = time.perf_counter()
        _require_seller(seller_id)
        _require_listing_id(listing_id)
        with translated_errors("read the listing media"), self._pool.connection() as connection:
            stored = repository.load_listings(connection, seller_id, [listing_id]).get(listing_id)
        if stored is None:
            raise NotFound(
                "listing_not_found",
                f"Listing {listing_id!r} has no media yet; set its media first.",
            )
        found = self._catalogue.batch_get_media(seller_id, stored.slots.media_ids()).found
        view = _view(seller_id, stored, found)
        logger.info(
            "read listing media",
            extra={"seller_id": seller_id, "listing_id": listing_id, "elapsed_ms": _elapsed_ms(started)},
        )
        return view

    def export_media_urls(self, seller_id: str, media_ids: Sequence[str]) -> list[str]:
        """Return the public URLs of the seller's media items in exactly the order given."""
        started = time.perf_counter()
        _require_seller(seller_id)
        _require_count("media_ids", "media ids", len(media_ids))
        found = self._catalogue.batch_get_media(seller_id, media_ids).found
        violations = [
            (
                f"media_ids[{index}]",
                f"Media {media_id!r} was not found in your library; remove it from the list.",
            )
            for index, media_id in enumerate(media_ids)
            if media_id not in found
        ]
        if violations:
            raise invalid_ids("No URLs were exported", violations)
        logger.info(
            "exported media urls",
            extra={"seller_id": seller_id, "count": len(media_ids), "elapsed_ms": _elapsed_ms(started)},
        )
        return [found[media_id].url for media_id in media_ids]

    def export_listings_csv(self, seller_id: str, listing_ids: Sequence[str]) -> str:
        """Return a bulk-listing CSV with one row per listing id, in the order given."""
        started = time.perf_counter()
        _require_seller(seller_id)
        _require_count("listing_ids", "listing ids", len(listing_ids))
        with translated_errors("export the listings"), self._pool.connection() as connection:
            stored = repository.load_listings(connection, seller_id, set(listing_ids))
        violations = []
        for index, listing_id in enumerate(listing_ids):
            if listing_id in stored:
                continue
            problem = listing_id_problem(listing_id)
            violations.append(
                (
                    f"listing_ids[{index}]",
                    problem
                    or f"Listing {listing_id!r} has no media yet; set its media or remove it from the list.",
                )
            )
        if violations:
            raise invalid_ids("No CSV was exported", violations)

        media_ids = [media_id for listing in stored.values() for media_id in listing.slots.media_ids()]
        found = self._catalogue.batch_get_media(seller_id, media_ids).found
        views = [_view(seller_id, stored[listing_id], found) for listing_id in listing_ids]
        logger.info(
            "exported listings csv",
            extra={"seller_id": seller_id, "count": len(listing_ids), "elapsed_ms": _elapsed_ms(started)},
        )
        return exports.listings_csv(views)

    def get_media_usage(self, seller_id: str, media_id: str) -> list[str]:
        """Return the sorted ids of the seller's listings that use a media item."""
        _require_seller(seller_id)
        require("media_id", media_id, "the id of a media item")
        with translated_errors("read the media usage"), self._pool.connection() as connection:
            listing_ids = repository.listings_using(connection, seller_id, media_id)
        logger.info(
            "read media usage",
            extra={"seller_id": seller_id, "media_id": media_id, "listings": len(listing_ids)},
        )
        return listing_ids

    def delete_media(self, seller_id: str, media_id: str, *, detach: bool) -> DeleteResult:
        """Delete a media item through the catalogue unless a listing uses it.

        With `detach`, the item is first removed from every listing that uses
        it, and each of those listings gets a new version. The media lock is
        held until the catalogue delete returns and the transaction commits,
        so no SetListingMedia can attach the item in between.
        """
        started = time.perf_counter()
        _require_seller(seller_id)
        require("media_id", media_id, "the id of a media item")
        if not is_media_id(media_id):
            raise _media_not_found(media_id)

        failure: Exception | None = None
        with (
            translated_errors("delete the media item"),
            self._pool.connection() as connection,
            connection.transaction(),
        ):
            repository.lock_media(connection, [media_id])
            using = repository.listings_using(connection, seller_id, media_id)
            if using and not detach:
                raise _media_in_use(media_id, using)
            if using:
                self._detach(connection, seller_id, media_id, using)
            try:
                freed_bytes = self._catalogue.delete_media(seller_id, media_id)
            except (DomainError, grpc.RpcError) as error:
                # A failed call may still have deleted the item (a lost response), or the item
                # may have been deleted before. Then the detach is kept, so that no listing
                # points at a deleted item, and the caller still gets the failure.
                if not using or not self._catalogue.is_gone(seller_id, media_id):
                    raise
                logger.warning(
                    "catalogue delete failed but the item is gone; keeping it detached from the listings",
                    extra={"seller_id": seller_id, "media_id": media_id, "listing_ids": using},
                )
                failure = error
        if failure is not None:
            raise failure

        logger.info(
            "deleted media",
            extra={
                "seller_id": seller_id,
                "media_id": media_id,
                "detached_listings": len(using),
                "freed_bytes": freed_bytes,
                "elapsed_ms": _elapsed_ms(started),
            },
        )
        return DeleteResult(using, freed_bytes)

    @staticmethod
    def _detach(connection, seller_id: str, media_id: str, listing_ids: list[str]) -> None:
        versions = repository.lock_listings(connection, seller_id, listing_ids)
        stored = repository.load_listings(connection, seller_id, listing_ids)
        for listing_id in listing_ids:
            slots = stored[listing_id].slots.without(media_id)
            repository.write_listing(connection, seller_id, listing_id, slots, versions[listing_id] + 1)


def _view(
    seller_id: str, stored: repository.StoredListing, found: dict[str, common_pb2.Media]
) -> ListingView:
    """Build the caller's view of a stored listing; items the catalogue no longer has are left out and logged."""
    missing_ids = [media_id for media_id in stored.slots.media_ids() if media_id not in found]
    if missing_ids:
        logger.warning(
            "listing uses media the catalogue no longer has; leaving them out",
            extra={"seller_id": seller_id, "listing_id": stored.listing_id, "media_ids": missing_ids},
        )
    slots = stored.slots
    return ListingView(
        listing_id=stored.listing_id,
        version=stored.version,
        images=[found[media_id] for media_id in slots.images if media_id in found],
        video=found.get(slots.video_id) if slots.video_id else None,
        size_chart=found.get(slots.size_chart_id) if slots.size_chart_id else None,
    )


def _require_seller(seller_id: str) -> None:
    require("seller_id", seller_id, "the id of the seller")


def _require_listing_id(listing_id: str) -> None:
    problem = listing_id_problem(listing_id)
    if problem:
        raise InvalidArgument("invalid_listing_id", problem, field_violations=[("listing_id", problem)])


def _require_count(field: str, noun: str, count: int) -> None:
    if count == 0:
        message = f"{field} is empty; give 1 to {MAX_EXPORT_IDS} {noun}."
        raise InvalidArgument("empty_list", message, field_violations=[(field, message)])
    if count > MAX_EXPORT_IDS:
        message = f"{field} has {count} {noun}; the limit is {MAX_EXPORT_IDS} per call, so split the list."
        raise InvalidArgument("too_many_ids", message, field_violations=[(field, message)])


def _in_request_order(violations: list[tuple[str, str]]) -> list[tuple[str, str]]:
    order = {"video_id": 1, "size_chart_id": 2}

    def position(violation: tuple[str, str]) -> tuple[int, int]:
        field = violation[0]
        if field.startswith("image_ids["):
            return (0, int(field[len("image_ids[") : -1]))
        return (order.get(field, 3), 0)

    return sorted(violations, key=position)


def _version_mismatch_message(listing_id: str, expected: int, current: int) -> str:
    found = "does not exist yet (version 0)" if current == 0 else f"is at version {current}"
    expected_text = "it not to exist yet (version 0)" if expected == 0 else f"version {expected}"
    return (
        f"Listing {listing_id!r} {found}, but the request expected {expected_text}; read it again and retry."
    )


def _media_in_use(media_id: str, listing_ids: list[str]) -> FailedPrecondition:
    named = listing_ids[:MAX_NAMED_LISTINGS]
    listed = ", ".join(named)
    if len(listing_ids) > len(named):
        listed += f" and {len(listing_ids) - len(named)} more"
    message = (
        f"Media {media_id!r} is used by {len(listing_ids)} listing{'s' if len(listing_ids) != 1 else ''}: {listed}. "
        "Remove it from them first, or delete it with detach set (`?detach=true` over HTTP) to remove it "
        "from every listing and then delete it."
    )
    return FailedPrecondition(
        "media_in_use",
        message,
        metadata={"listing_ids": ",".join(named), "listing_count": str(len(listing_ids))},
    )


def _media_not_found(media_id: str) -> NotFound:
    return NotFound("media_not_found", f"Media {media_id!r} was not found in your library.")


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
