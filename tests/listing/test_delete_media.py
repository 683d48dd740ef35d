"""DeleteMedia and GetMediaUsage: deletes of media that listings use are refused unless detached."""

from __future__ import annotations

import grpc
from mediacenter.listing.v1 import listing_pb2

from tests.listing.test_set_listing_media import SELLER, get_media, rpc_error, set_media


def delete(listing, media_id, detach=False, seller=SELLER):
    return listing.DeleteMedia(
        listing_pb2.DeleteMediaRequest(seller_id=seller, media_id=media_id, detach=detach)
    )


def usage(listing, media_id, seller=SELLER):
    return list(
        listing.GetMediaUsage(
            listing_pb2.GetMediaUsageRequest(seller_id=seller, media_id=media_id)
        ).listing_ids
    )


def test_unused_media_deleted(listing, catalogue):
    media_id = catalogue.add_media(SELLER, byte_size=4321)

    response = delete(listing, media_id)

    assert response.freed_bytes == 4321
    assert list(response.detached_listing_ids) == []
    assert media_id not in catalogue.live_ids(SELLER)


def test_delete_in_use_refused_with_listing_ids(listing, catalogue):
    media_id = catalogue.add_media(SELLER)
    set_media(listing, listing_id="b-listing", images=[media_id])
    set_media(listing, listing_id="a-listing", size_chart=media_id)

    error = rpc_error(delete, listing, media_id)

    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "media_in_use"
    assert error.metadata["listing_ids"] == "a-listing,b-listing"
    assert "a-listing, b-listing" in error.message
    assert "detach" in error.message
    assert media_id in catalogue.live_ids(SELLER)
    assert get_media(listing, "a-listing").version == 1


def test_usage_lists_listings_sorted(listing, catalogue):
    media_id = catalogue.add_media(SELLER)
    for listing_id in ("c", "a", "B"):
        set_media(listing, listing_id=listing_id, images=[media_id])

    assert usage(listing, media_id) == ["B", "a", "c"]
    assert usage(listing, catalogue.add_media(SELLER)) == []


def test_detach_removes_from_every_listing(listing, catalogue):
    main, other, video = catalogue.add_media(SELLER), catalogue.add_media(SELLER), catalogue.add_video(SELLER)
    set_media(listing, listing_id="one", images=[main, other], video=video)
    set_media(listing, listing_id="two", images=[other], size_chart=main)
    set_media(listing, listing_id="three", images=[other])

    response = delete(listing, main, detach=True)

    assert list(response.detached_listing_ids) == ["one", "two"]
    one, two, three = (get_media(listing, listing_id) for listing_id in ("one", "two", "three"))
    assert [media.id for media in one.images] == [other]
    assert one.video.id == video
    assert one.version == 2
    assert [media.id for media in two.images] == [other]
    assert not two.HasField("size_chart")
    assert two.version == 2
    assert three.version == 1
    assert usage(listing, main) == []
    assert main not in catalogue.live_ids(SELLER)


def test_detach_of_unused_media_deletes(listing, catalogue):
    media_id = catalogue.add_media(SELLER)

    response = delete(listing, media_id, detach=True)

    assert list(response.detached_listing_ids) == []
    assert media_id not in catalogue.live_ids(SELLER)


def test_delete_unknown_media_not_found(listing, catalogue):
    for media_id in ("7d5f0a52-3c1b-4b8e-8f5e-0c7d9a1b2c3d", "not-a-media-id"):
        error = rpc_error(delete, listing, media_id)

        assert error.code == grpc.StatusCode.NOT_FOUND
        assert media_id in error.message


def test_failed_catalogue_delete_keeps_listings(listing, catalogue):
    media_id = catalogue.add_media(SELLER)
    set_media(listing, listing_id="kept", images=[media_id])
    catalogue.delete_failure = grpc.StatusCode.UNAVAILABLE

    error = rpc_error(delete, listing, media_id, detach=True)

    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert media_id in catalogue.live_ids(SELLER)
    assert usage(listing, media_id) == ["kept"]
    assert get_media(listing, "kept").version == 1


def test_lost_delete_response_keeps_detach(listing, catalogue):
    media_id, other = catalogue.add_media(SELLER), catalogue.add_media(SELLER)
    set_media(listing, listing_id="shop", images=[media_id, other])
    catalogue.delete_failure = grpc.StatusCode.UNAVAILABLE
    catalogue.delete_failure_after_deleting = True

    error = rpc_error(delete, listing, media_id, detach=True)

    assert error.code == grpc.StatusCode.UNAVAILABLE
    assert media_id not in catalogue.live_ids(SELLER)
    assert usage(listing, media_id) == []
    assert [media.id for media in get_media(listing, "shop").images] == [other]
    assert get_media(listing, "shop").version == 2


def test_detach_of_item_already_gone_heals_listings(listing, catalogue):
    media_id = catalogue.add_media(SELLER)
    set_media(listing, listing_id="stale", images=[media_id])
    catalogue.remove_behind_listings_back(SELLER, media_id)

    error = rpc_error(delete, listing, media_id, detach=True)

    assert error.code == grpc.StatusCode.NOT_FOUND
    assert usage(listing, media_id) == []
    assert get_media(listing, "stale").version == 2


def test_missing_media_id_invalid(listing):
    error = rpc_error(delete, listing, "")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "media_id"


def test_in_use_error_names_first_listings_and_count(listing, catalogue):
    media_id = catalogue.add_media(SELLER)
    listing_ids = [f"listing-{index:02d}-" + "x" * 50 for index in range(30)]
    for listing_id in listing_ids:
        set_media(listing, listing_id=listing_id, images=[media_id])

    error = rpc_error(delete, listing, media_id)

    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.metadata["listing_count"] == "30"
    assert error.metadata["listing_ids"].split(",") == listing_ids[:20]
    assert "used by 30 listings" in error.message
    assert "and 10 more" in error.message
    assert len(usage(listing, media_id)) == 30
