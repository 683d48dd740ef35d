"""ExportMediaUrls and ExportListingsCsv."""

from __future__ import annotations

import csv
import io

import grpc
from mediacenter.listing.v1 import listing_pb2

from tests.listing.test_set_listing_media import SELLER, rpc_error, set_media

HEADER = [
    "listing_id",
    "main_image_url",
    *(f"image_{number}_url" for number in range(2, 10)),
    "size_chart_url",
    "video_url",
]


def export_urls(listing, media_ids, seller=SELLER):
    return listing.ExportMediaUrls(listing_pb2.ExportMediaUrlsRequest(seller_id=seller, media_ids=media_ids))


def export_csv(listing, listing_ids, seller=SELLER):
    return listing.ExportListingsCsv(
        listing_pb2.ExportListingsCsvRequest(seller_id=seller, listing_ids=listing_ids)
    ).csv


def test_urls_in_given_order(listing, catalogue):
    ids = [catalogue.add_media(SELLER) for _ in range(4)] + [catalogue.add_video(SELLER)]
    requested_order = [ids[3], ids[0], ids[4], ids[2]]

    response = export_urls(listing, requested_order)

    expected = [f"http://127.0.0.1:8080/media/{media_id}/" for media_id in requested_order]
    assert [url.rsplit("/", 1)[0] + "/" for url in response.urls] == expected
    assert response.text == "\n".join(response.urls)
    assert response.urls[2].endswith("/clip.mp4")


def test_urls_unknown_ids_named(listing, catalogue):
    known = catalogue.add_media(SELLER)
    unknown = "5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

    error = rpc_error(export_urls, listing, [known, unknown, "junk"])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [field for field, _text in error.field_violations] == ["media_ids[1]", "media_ids[2]"]
    assert unknown in error.field_violations[0][1]
    assert "'junk'" in error.field_violations[1][1]


def test_urls_501_ids_rejected(listing, catalogue):
    ids = [catalogue.add_media(SELLER) for _ in range(501)]

    error = rpc_error(export_urls, listing, ids)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "media_ids"
    assert "501" in error.message
    assert "500" in error.message


def test_urls_500_ids_accepted(listing, catalogue):
    ids = [catalogue.add_media(SELLER) for _ in range(500)]

    response = export_urls(listing, ids)

    assert len(response.urls) == 500
    assert response.urls[499].split("/")[4] == ids[499]


def test_urls_empty_list_rejected(listing):
    error = rpc_error(export_urls, listing, [])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "media_ids"


def test_many_unknown_ids_fit_in_error(listing):
    unknown = [f"00000000-0000-4000-8000-{index:012d}" for index in range(500)]

    error = rpc_error(export_urls, listing, unknown)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "500 problems" in error.message
    assert len(error.field_violations) == 25
    assert error.field_violations[0][0] == "media_ids[0]"


def test_csv_rows_in_given_order_with_empty_cells(listing, catalogue):
    images = [catalogue.add_media(SELLER) for _ in range(3)]
    video = catalogue.add_video(SELLER)
    chart = catalogue.add_media(SELLER, file_name="chart.png")
    set_media(listing, listing_id="full", images=images, video=video, size_chart=chart)
    set_media(listing, listing_id="bare", images=[])

    text = export_csv(listing, ["bare", "full"])

    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == HEADER
    assert rows[1] == ["bare"] + [""] * 11
    url = "http://127.0.0.1:8080/media/{}/{}"
    assert rows[2] == (
        ["full"]
        + [url.format(media_id, "photo.jpg") for media_id in images]
        + [""] * 6
        + [url.format(chart, "chart.png"), url.format(video, "clip.mp4")]
    )
    assert len(rows) == 3
    assert text.count("\r\n") == 3
    assert "\n" not in text.replace("\r\n", "")


def test_csv_quotes_cells_with_commas_and_quotes(listing, catalogue):
    odd = catalogue.add_media(SELLER, file_name='red,"blue".jpg')
    set_media(listing, listing_id="odd", images=[odd])

    text = export_csv(listing, ["odd"])

    line = text.split("\r\n")[1]
    assert line.startswith(f'odd,"http://127.0.0.1:8080/media/{odd}/red,""blue"".jpg",')
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][1] == f'http://127.0.0.1:8080/media/{odd}/red,"blue".jpg'


def test_csv_unknown_listing_ids_named(listing, catalogue):
    set_media(listing, listing_id="known", images=[])

    error = rpc_error(export_csv, listing, ["known", "missing", "has,comma"])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    fields = dict(error.field_violations)
    assert list(fields) == ["listing_ids[1]", "listing_ids[2]"]
    assert "'missing'" in fields["listing_ids[1]"]
    assert "'has,comma'" in fields["listing_ids[2]"]


def test_csv_501_listings_rejected(listing):
    error = rpc_error(export_csv, listing, [f"l{index}" for index in range(501)])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "listing_ids"
    assert "500" in error.message


def test_csv_over_1000_media_in_two_lookups(listing, catalogue):
    listing_ids = [f"bulk-{index:03d}" for index in range(100)]
    for listing_id in listing_ids:
        images = [catalogue.add_media(SELLER) for _ in range(9)]
        chart, video = catalogue.add_media(SELLER), catalogue.add_video(SELLER)
        set_media(listing, listing_id=listing_id, images=images, video=video, size_chart=chart)
    calls_before = catalogue.batch_get_calls

    text = export_csv(listing, listing_ids)

    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert [row[0] for row in rows[1:]] == listing_ids
    assert all(cell for row in rows[1:] for cell in row)
    assert len({cell for row in rows[1:] for cell in row[1:]}) == 1100
    assert catalogue.batch_get_calls == calls_before + 2


def test_csv_leaves_out_media_gone_from_catalogue(listing, catalogue):
    first, second = catalogue.add_media(SELLER), catalogue.add_media(SELLER)
    video = catalogue.add_video(SELLER)
    set_media(listing, listing_id="partly-gone", images=[first, second], video=video)
    catalogue.remove_behind_listings_back(SELLER, first)
    catalogue.remove_behind_listings_back(SELLER, video)

    rows = list(csv.reader(io.StringIO(export_csv(listing, ["partly-gone"]), newline="")))

    assert rows[1][1] == f"http://127.0.0.1:8080/media/{second}/photo.jpg"
    assert rows[1][2:] == [""] * 10
