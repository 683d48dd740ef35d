"""SetListingMedia and GetListingMedia over real gRPC, against PostgreSQL and a fake catalogue."""

from __future__ import annotations

import grpc
import pytest
from mediacenter.listing.v1 import listing_pb2

from services.runtime.errors import ErrorDetails

SELLER = "seller-a"


def set_media(
    listing, listing_id="shirt-1", images=(), video="", size_chart="", expected=None, seller=SELLER
):
    request = listing_pb2.SetListingMediaRequest(
        seller_id=seller,
        listing_id=listing_id,
        image_ids=list(images),
        video_id=video,
        size_chart_id=size_chart,
    )
    if expected is not None:
        request.expected_version = expected
    return listing.SetListingMedia(request)


def get_media(listing, listing_id="shirt-1", seller=SELLER):
    return listing.GetListingMedia(
        listing_pb2.GetListingMediaRequest(seller_id=seller, listing_id=listing_id)
    )


def rpc_error(call, *args, **kwargs) -> ErrorDetails:
    with pytest.raises(grpc.RpcError) as raised:
        call(*args, **kwargs)
    return ErrorDetails.from_rpc_error(raised.value)


def test_set_media_keeps_image_order(listing, catalogue):
    images = [catalogue.add_media(SELLER) for _ in range(9)]
    video = catalogue.add_video(SELLER)
    chart = catalogue.add_media(SELLER, file_name="sizes.png")

    written = set_media(listing, images=images, video=video, size_chart=chart)
    read = get_media(listing)

    for result in (written, read):
        assert [media.id for media in result.images] == images
        assert result.video.id == video
        assert result.size_chart.id == chart
        assert result.version == 1
        assert result.images[0].url == f"http://127.0.0.1:8080/media/{images[0]}/photo.jpg"
        assert result.images[0].preview_url.endswith(f"/media/{images[0]}/preview.webp")


def test_set_media_replaces_and_bumps_version(listing, catalogue):
    first, second = catalogue.add_media(SELLER), catalogue.add_media(SELLER)
    set_media(listing, images=[first, second])

    result = set_media(listing, images=[second])

    assert [media.id for media in result.images] == [second]
    assert not result.HasField("video")
    assert not result.HasField("size_chart")
    assert result.version == 2
    assert get_media(listing).version == 2


def test_set_media_checks_ids_in_one_catalogue_call(listing, catalogue):
    images = [catalogue.add_media(SELLER) for _ in range(3)]
    video = catalogue.add_video(SELLER)
    before = catalogue.batch_get_calls

    set_media(listing, images=images, video=video, size_chart=catalogue.add_media(SELLER))

    assert catalogue.batch_get_calls == before + 1


def test_ten_images_rejected(listing, catalogue):
    images = [catalogue.add_media(SELLER) for _ in range(10)]
    set_media(listing, images=images[:2])

    error = rpc_error(set_media, listing, images=images)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert len(error.field_violations) == 1
    field, description = error.field_violations[0]
    assert field == "image_ids[9]"
    assert images[9] in description
    assert "limit of 9" in description
    assert "image_ids[9]" in error.message
    assert [media.id for media in get_media(listing).images] == images[:2]
    assert get_media(listing).version == 1


def test_video_in_image_list_rejected(listing, catalogue):
    image = catalogue.add_media(SELLER)
    video = catalogue.add_video(SELLER)

    error = rpc_error(set_media, listing, images=[image, video])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations == [
        (
            "image_ids[1]",
            f"Media {video!r} is a video, but image_ids takes images only; put a video in video_id.",
        )
    ]
    assert rpc_error(get_media, listing).code == grpc.StatusCode.NOT_FOUND


def test_wrong_kind_in_single_slots_rejected(listing, catalogue):
    image = catalogue.add_media(SELLER)
    video = catalogue.add_video(SELLER)

    error = rpc_error(set_media, listing, video=image, size_chart=video)

    fields = dict(error.field_violations)
    assert set(fields) == {"video_id", "size_chart_id"}
    assert image in fields["video_id"]
    assert "an image" in fields["video_id"]
    assert video in fields["size_chart_id"]
    assert "must be an image" in fields["size_chart_id"]


def test_same_id_twice_rejected(listing, catalogue):
    first, second = catalogue.add_media(SELLER), catalogue.add_media(SELLER)
    set_media(listing, images=[second])

    error = rpc_error(set_media, listing, images=[first, second, first])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert len(error.field_violations) == 1
    field, description = error.field_violations[0]
    assert field == "image_ids[2]"
    assert first in description
    assert "listed twice" in description
    assert "image_ids[0]" in description
    assert [media.id for media in get_media(listing).images] == [second]


def test_every_offending_id_reported(listing, catalogue):
    image = catalogue.add_media(SELLER)
    video = catalogue.add_video(SELLER)
    unknown = "0b8f3f8e-2f0e-4a59-9d0e-2a4b5e7f0c11"

    error = rpc_error(set_media, listing, images=[image, unknown, video, image, ""])

    assert [field for field, _text in error.field_violations] == [
        "image_ids[1]",
        "image_ids[2]",
        "image_ids[3]",
        "image_ids[4]",
    ]
    descriptions = dict(error.field_violations)
    assert unknown in descriptions["image_ids[1]"]
    assert "not found" in descriptions["image_ids[1]"]
    assert "is a video" in descriptions["image_ids[2]"]
    assert "listed twice" in descriptions["image_ids[3]"]
    assert "empty" in descriptions["image_ids[4]"]
    assert "4 problems" in error.message


@pytest.mark.parametrize(
    ("listing_id", "expected_text"),
    [
        ("", "empty"),
        ("a" * 65, "65 characters"),
        ("shirt,red", "characters other than"),
        ("shirt red", "characters other than"),
    ],
)
def test_invalid_listing_id_rejected(listing, catalogue, listing_id, expected_text):
    image = catalogue.add_media(SELLER)

    error = rpc_error(set_media, listing, listing_id=listing_id, images=[image])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "listing_id"
    assert expected_text in error.message


def test_longest_listing_id_accepted(listing, catalogue):
    listing_id = "A-b_c.9" + "x" * 57

    result = set_media(listing, listing_id=listing_id, images=[catalogue.add_media(SELLER)])

    assert len(listing_id) == 64
    assert result.listing_id == listing_id


def test_empty_media_is_a_listing(listing):
    result = set_media(listing, images=[])

    assert result.version == 1
    assert list(get_media(listing).images) == []


def test_unknown_listing_not_found(listing):
    error = rpc_error(get_media, listing, listing_id="never-set")

    assert error.code == grpc.StatusCode.NOT_FOUND
    assert "never-set" in error.message


def test_media_gone_from_catalogue_left_out(listing, catalogue):
    live, removed = catalogue.add_media(SELLER), catalogue.add_media(SELLER)
    set_media(listing, images=[removed, live])

    catalogue.remove_behind_listings_back(SELLER, removed)
    result = get_media(listing)

    assert [media.id for media in result.images] == [live]


def test_expected_version_must_match(listing, catalogue):
    image = catalogue.add_media(SELLER)
    set_media(listing, images=[image], expected=0)
    set_media(listing, images=[image], expected=1)

    error = rpc_error(set_media, listing, images=[], expected=1)

    assert error.code == grpc.StatusCode.ABORTED
    assert "version 2" in error.message
    assert "version 1" in error.message
    assert get_media(listing).version == 2
    assert [media.id for media in get_media(listing).images] == [image]


def test_expected_version_zero_means_new(listing, catalogue):
    set_media(listing, images=[])

    error = rpc_error(set_media, listing, images=[], expected=0)

    assert error.code == grpc.StatusCode.ABORTED
    assert "not to exist yet (version 0)" in error.message
    assert "version 1" in error.message


def test_expected_version_for_missing_listing(listing):
    error = rpc_error(set_media, listing, listing_id="new-one", expected=3)

    assert error.code == grpc.StatusCode.ABORTED
    assert "does not exist yet (version 0)" in error.message
    assert rpc_error(get_media, listing, listing_id="new-one").code == grpc.StatusCode.NOT_FOUND


def test_many_extra_images_fit_in_error(listing, catalogue):
    images = [catalogue.add_media(SELLER) for _ in range(9)]
    extra = [f"00000000-0000-4000-8000-{index:012d}" for index in range(200)]

    error = rpc_error(set_media, listing, images=images + extra)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "200 problems" in error.message
    assert len(error.field_violations) == 25
    assert error.field_violations[0][0] == "image_ids[9]"


def test_get_with_invalid_listing_id_rejected(listing):
    error = rpc_error(get_media, listing, listing_id="")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "listing_id"
