"""Tenant isolation: another seller's listing or media id behaves exactly like an unknown id."""

from __future__ import annotations

import grpc
from mediacenter.listing.v1 import listing_pb2

from tests.listing.test_delete_media import delete, usage
from tests.listing.test_exports import export_csv, export_urls
from tests.listing.test_set_listing_media import get_media, rpc_error, set_media

OWNER = "seller-owner"
OTHER = "seller-other"
UNKNOWN_MEDIA = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"


def same_error(foreign, unknown, foreign_id, unknown_id):
    """Assert two errors match once the foreign id and the unknown id are swapped for one placeholder."""
    assert foreign.code == unknown.code
    assert foreign.reason == unknown.reason
    assert foreign.message.replace(foreign_id, "<id>") == unknown.message.replace(unknown_id, "<id>")
    assert [(field, text.replace(foreign_id, "<id>")) for field, text in foreign.field_violations] == [
        (field, text.replace(unknown_id, "<id>")) for field, text in unknown.field_violations
    ]


def test_foreign_listing_looks_unknown(listing, catalogue):
    set_media(listing, listing_id="owned", images=[catalogue.add_media(OWNER)], seller=OWNER)

    foreign = rpc_error(get_media, listing, listing_id="owned", seller=OTHER)
    unknown = rpc_error(get_media, listing, listing_id="unset", seller=OTHER)

    same_error(foreign, unknown, "owned", "unset")
    assert foreign.code == grpc.StatusCode.NOT_FOUND


def test_foreign_media_cannot_be_attached(listing, catalogue):
    owned = catalogue.add_media(OWNER)
    catalogue.add_media(OTHER)

    foreign = rpc_error(set_media, listing, listing_id="mine", images=[owned], seller=OTHER)
    unknown = rpc_error(set_media, listing, listing_id="mine", images=[UNKNOWN_MEDIA], seller=OTHER)

    same_error(foreign, unknown, owned, UNKNOWN_MEDIA)
    assert foreign.code == grpc.StatusCode.INVALID_ARGUMENT


def test_seller_unknown_to_catalogue_has_no_media(listing, catalogue):
    owned = catalogue.add_media(OWNER)

    error = rpc_error(set_media, listing, listing_id="mine", images=[owned], seller="seller-never-seen")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "image_ids[0]"
    assert "not found" in error.field_violations[0][1]


def test_same_listing_id_is_separate_per_seller(listing, catalogue):
    owner_image, other_image = catalogue.add_media(OWNER), catalogue.add_media(OTHER)
    set_media(listing, listing_id="sku-1", images=[owner_image], seller=OWNER)

    written = set_media(listing, listing_id="sku-1", images=[other_image], seller=OTHER, expected=0)

    assert written.version == 1
    assert [media.id for media in get_media(listing, "sku-1", seller=OWNER).images] == [owner_image]
    assert [media.id for media in get_media(listing, "sku-1", seller=OTHER).images] == [other_image]
    assert get_media(listing, "sku-1", seller=OWNER).version == 1


def test_foreign_media_cannot_be_exported(listing, catalogue):
    owned = catalogue.add_media(OWNER)
    catalogue.add_media(OTHER)

    foreign = rpc_error(export_urls, listing, [owned], seller=OTHER)
    unknown = rpc_error(export_urls, listing, [UNKNOWN_MEDIA], seller=OTHER)

    same_error(foreign, unknown, owned, UNKNOWN_MEDIA)


def test_foreign_listing_cannot_be_exported(listing, catalogue):
    set_media(listing, listing_id="owned", images=[catalogue.add_media(OWNER)], seller=OWNER)

    foreign = rpc_error(export_csv, listing, ["owned"], seller=OTHER)
    unknown = rpc_error(export_csv, listing, ["unset"], seller=OTHER)

    same_error(foreign, unknown, "owned", "unset")


def test_foreign_media_usage_and_delete_look_unknown(listing, catalogue):
    owned = catalogue.add_media(OWNER)
    set_media(listing, listing_id="owned", images=[owned], seller=OWNER)

    assert usage(listing, owned, seller=OTHER) == []
    foreign = rpc_error(delete, listing, owned, detach=True, seller=OTHER)
    unknown = rpc_error(delete, listing, UNKNOWN_MEDIA, detach=True, seller=OTHER)

    same_error(foreign, unknown, owned, UNKNOWN_MEDIA)
    assert foreign.code == grpc.StatusCode.NOT_FOUND
    assert owned in catalogue.live_ids(OWNER)
    assert usage(listing, owned, seller=OWNER) == ["owned"]
    assert get_media(listing, "owned", seller=OWNER).version == 1


def test_missing_seller_rejected(listing):
    error = rpc_error(get_media, listing, listing_id="any", seller="")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "seller_id"


def test_usage_needs_media_id(listing):
    with_empty = listing_pb2.GetMediaUsageRequest(seller_id=OWNER, media_id="")

    error = rpc_error(listing.GetMediaUsage, with_empty)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "media_id"
