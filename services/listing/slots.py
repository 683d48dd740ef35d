"""The media slots of one listing and the rules that a request to fill them must follow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mediacenter.common.v1 import common_pb2

# A listing shows at most this many images; the first is the main image.
MAX_IMAGES = 9
# One export call covers at most this many media items or listings, so that a
# response stays well under the 4 MiB message limit of every service.
MAX_EXPORT_IDS = 500

# Listing ids are the seller's own product ids: ASCII letters, digits, "-", "_" and ".".
LISTING_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}", re.ASCII)

IMAGE = common_pb2.MEDIA_KIND_IMAGE
VIDEO = common_pb2.MEDIA_KIND_VIDEO


@dataclass(frozen=True)
class ListingSlots:
    """Media ids of a listing: images in display order, then the optional video and size chart."""

    images: tuple[str, ...] = ()
    video_id: str = ""
    size_chart_id: str = ""

    def media_ids(self) -> list[str]:
        """Return every media id in slot order: images, video, size chart."""
        ids = list(self.images)
        if self.video_id:
            ids.append(self.video_id)
        if self.size_chart_id:
            ids.append(self.size_chart_id)
        return ids

    def without(self, media_id: str) -> ListingSlots:
        """Return these slots with `media_id` removed everywhere; later images move up one place."""
        return ListingSlots(
            images=tuple(image for image in self.images if image != media_id),
            video_id="" if self.video_id == media_id else self.video_id,
            size_chart_id="" if self.size_chart_id == media_id else self.size_chart_id,
        )


@dataclass(frozen=True)
class SlotEntry:
    """One media id of a request, the request field it came from and the kind that field takes."""

    field: str
    media_id: str
    kind: int


@dataclass
class SlotCheck:
    """The entries of a request that need a catalogue lookup, and the violations found without one."""

    entries: list[SlotEntry] = field(default_factory=list)
    violations: list[tuple[str, str]] = field(default_factory=list)


def listing_id_problem(listing_id: str) -> str | None:
    """Return why `listing_id` is not a valid listing id, or None when it is valid."""
    if not listing_id:
        return "The listing id is empty; give 1 to 64 letters, digits, '-', '_' or '.'."
    if len(listing_id) > 64:
        return (
            f"The listing id is {len(listing_id)} characters long; "
            "it must be at most 64 letters, digits, '-', '_' or '.'."
        )
    if not LISTING_ID_PATTERN.fullmatch(listing_id):
        return (
            f"The listing id {listing_id!r} contains characters other than letters, digits, '-', '_' and '.'."
        )
    return None


def check_slots(slots: ListingSlots) -> SlotCheck:
    """Check the shape of a request: empty ids, ids listed twice and images over the limit.

    Every id that passes is returned as an entry for the catalogue lookup;
    each offending id gets exactly one violation.
    """
    check = SlotCheck()
    first_field_by_id: dict[str, str] = {}
    requested = [
        (f"image_ids[{index}]", media_id, IMAGE, index >= MAX_IMAGES)
        for index, media_id in enumerate(slots.images)
    ]
    if slots.video_id:
        requested.append(("video_id", slots.video_id, VIDEO, False))
    if slots.size_chart_id:
        requested.append(("size_chart_id", slots.size_chart_id, IMAGE, False))

    for field_name, media_id, kind, over_limit in requested:
        if over_limit:
            problem = (
                f"Media {media_id!r} is over the limit of {MAX_IMAGES} images per listing; "
                "remove it or another image."
            )
        elif not media_id:
            problem = "The media id is empty; give the id of an item in your library."
        elif media_id in first_field_by_id:
            problem = (
                f"Media {media_id!r} is listed twice (also in {first_field_by_id[media_id]}); "
                "use each item once per listing."
            )
        else:
            first_field_by_id[media_id] = field_name
            check.entries.append(SlotEntry(field_name, media_id, kind))
            continue
        check.violations.append((field_name, problem))
    return check


def check_found(entries: list[SlotEntry], found: dict[str, common_pb2.Media]) -> list[tuple[str, str]]:
    """Return one violation per entry whose media item is unknown or of the wrong kind."""
    violations = []
    for entry in entries:
        media = found.get(entry.media_id)
        if media is None:
            violations.append(
                (
                    entry.field,
                    f"Media {entry.media_id!r} was not found in your library; pick an item you uploaded.",
                )
            )
        elif media.kind != entry.kind:
            violations.append((entry.field, _wrong_kind_message(entry, media.kind)))
    return violations


def _wrong_kind_message(entry: SlotEntry, actual_kind: int) -> str:
    actual = _KIND_NAMES.get(actual_kind, "an item of unknown kind")
    if entry.field == "video_id":
        return f"Media {entry.media_id!r} is {actual}, but the video slot takes a video; pick a video."
    if entry.field == "size_chart_id":
        return f"Media {entry.media_id!r} is {actual}, but a size chart must be an image; pick an image."
    return f"Media {entry.media_id!r} is {actual}, but image_ids takes images only; put a video in video_id."


_KIND_NAMES = {IMAGE: "an image", VIDEO: "a video"}
