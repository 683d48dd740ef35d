"""SearchMedia: name words and parts, dates, kinds, folders, pages, and bad input."""

import base64
import json
from datetime import UTC, datetime

import grpc
import psycopg
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.runtime.errors import ErrorDetails
from tests.catalogue.fakes import fake_mp4
from tests.support.media import make_png


def _search(catalogue, seller_id, **fields):
    return catalogue.stub.SearchMedia(catalogue_pb2.SearchMediaRequest(seller_id=seller_id, **fields))


def _names(response):
    return [item.name for item in response.items]


def _search_error(catalogue, seller_id, **fields):
    with pytest.raises(grpc.RpcError) as caught:
        _search(catalogue, seller_id, **fields)
    return ErrorDetails.from_rpc_error(caught.value)


def _set_created_at(catalogue, media_id, moment):
    with psycopg.connect(catalogue.database_url) as connection:
        connection.execute("UPDATE catalogue.media SET created_at = %s WHERE id = %s", (moment, media_id))


@pytest.fixture
def library(catalogue):
    """A seller with a few named images and one video, uploaded in this order."""
    seller_id = catalogue.new_seller().seller.id
    names = ["red-sneaker_side view.JPG", "Blue SNEAKERS front.png", "size chart.png", "Äpfel Korb.png"]
    ids = {}
    for seed, name in enumerate(names):
        ids[name] = catalogue.upload(seller_id, make_png(320, 320, seed=seed), name).media.id
    ids["sneaker clip.mp4"] = catalogue.upload(seller_id, fake_mp4(), "sneaker clip.mp4").media.id
    return seller_id, ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sneaker side", ["red-sneaker_side view.JPG"]),
        ("sneak", ["sneaker clip.mp4", "Blue SNEAKERS front.png", "red-sneaker_side view.JPG"]),
        ("SIDE", ["red-sneaker_side view.JPG"]),
        ("view jpg", ["red-sneaker_side view.JPG"]),
        ("side_view", ["red-sneaker_side view.JPG"]),
        ("äpfel", ["Äpfel Korb.png"]),
        ("100%", []),
        ("chart size", ["size chart.png"]),
        ("", ["sneaker clip.mp4", "Äpfel Korb.png", "size chart.png", "Blue SNEAKERS front.png",
              "red-sneaker_side view.JPG"]),
    ],
)
def test_search_by_name(catalogue, library, query, expected):
    seller_id, _ = library

    assert _names(_search(catalogue, seller_id, query=query)) == expected


def test_search_by_kind_and_folder(catalogue, library):
    seller_id, _ = library
    videos = catalogue.folders(seller_id)["Videos"]

    only_videos = _search(catalogue, seller_id, query="sneak", kind=common_pb2.MEDIA_KIND_VIDEO)
    in_folder = _search(catalogue, seller_id, folder_id=videos.id)

    assert _names(only_videos) == ["sneaker clip.mp4"]
    assert _names(in_folder) == ["sneaker clip.mp4"]


def test_search_by_day_and_range(catalogue, library):
    seller_id, ids = library
    _set_created_at(catalogue, ids["size chart.png"], datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))
    _set_created_at(catalogue, ids["Äpfel Korb.png"], datetime(2026, 3, 2, 0, 0, 0, tzinfo=UTC))
    _set_created_at(catalogue, ids["Blue SNEAKERS front.png"], datetime(2026, 3, 4, 12, 0, 0, tzinfo=UTC))

    first_day = _search(catalogue, seller_id, created_on="2026-03-01")
    second_day = _search(catalogue, seller_id, created_on="2026-03-02")
    inclusive = _search(catalogue, seller_id, created_from="2026-03-01", created_to="2026-03-04")
    open_end = _search(catalogue, seller_id, created_from="2026-03-02", created_to="2026-03-02")

    assert _names(first_day) == ["size chart.png"]
    assert _names(second_day) == ["Äpfel Korb.png"]
    assert _names(inclusive) == ["Blue SNEAKERS front.png", "Äpfel Korb.png", "size chart.png"]
    assert _names(open_end) == ["Äpfel Korb.png"]


def test_search_skips_deleted(catalogue, library):
    seller_id, ids = library
    catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=ids["size chart.png"]))

    assert _names(_search(catalogue, seller_id, query="chart")) == []


def test_search_pages_cover_everything_once(catalogue):
    seller_id = catalogue.new_seller().seller.id
    uploaded = [catalogue.upload(seller_id, make_png(300, 300, seed=100 + n), f"item {n}.png").media.id
                for n in range(23)]
    # Several items share one timestamp, so the id must break ties.
    with psycopg.connect(catalogue.database_url) as connection:
        connection.execute(
            "UPDATE catalogue.media SET created_at = '2026-05-05T10:00:00Z' WHERE id = ANY(%s)", (uploaded[5:12],)
        )

    seen = []
    cursor = ""
    pages = 0
    while True:
        page = _search(catalogue, seller_id, limit=5, cursor=cursor)
        seen.extend(item.id for item in page.items)
        pages += 1
        cursor = page.next_cursor
        if not cursor or pages > 10:
            break

    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == set(uploaded)
    full = _search(catalogue, seller_id, limit=200)
    assert [item.id for item in full.items] == seen


def _tampered(cursor: str) -> str:
    payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload["i"] = "not-a-uuid"
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_search_rejects_tampered_or_foreign_cursor(catalogue, library):
    seller_id, _ = library
    cursor = _search(catalogue, seller_id, limit=1).next_cursor

    tampered = _search_error(catalogue, seller_id, limit=1, cursor=_tampered(cursor))
    garbage = _search_error(catalogue, seller_id, limit=1, cursor="%%%not-base64")
    other_search = _search_error(catalogue, seller_id, limit=1, query="sneak", cursor=cursor)

    for error in (tampered, garbage, other_search):
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert error.field_violations[0][0] == "cursor"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"created_on": "2026-02-30"}, "created_on"),
        ({"created_on": "2026-3-1"}, "created_on"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"created_to": "2026-13-01"}, "created_to"),
        ({"query": "?!--.."}, "query"),
        ({"created_on": "2026-03-01", "created_from": "2026-03-01"}, "created_on"),
        ({"created_from": "2026-03-05", "created_to": "2026-03-01"}, "created_from"),
        ({"limit": 201}, "limit"),
        ({"limit": -1}, "limit"),
        ({"query": "x" * 201}, "query"),
        ({"kind": 7}, "kind"),
    ],
)
def test_search_rejects_bad_input(catalogue, library, fields, field):
    seller_id, _ = library

    error = _search_error(catalogue, seller_id, **fields)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == field
