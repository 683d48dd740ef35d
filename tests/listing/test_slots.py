"""Unit tests of the slot rules, without a server."""

from __future__ import annotations

import pytest

from services.listing.catalogue import is_media_id
from services.listing.slots import ListingSlots, check_slots, listing_id_problem


def test_without_moves_later_images_up():
    slots = ListingSlots(images=("a", "b", "c"), video_id="v", size_chart_id="b")

    remaining = slots.without("b")

    assert remaining == ListingSlots(images=("a", "c"), video_id="v", size_chart_id="")


def test_media_ids_in_slot_order():
    slots = ListingSlots(images=("a", "b"), video_id="v", size_chart_id="s")

    assert slots.media_ids() == ["a", "b", "v", "s"]


def test_size_chart_repeating_image_is_listed_twice():
    check = check_slots(ListingSlots(images=("a",), size_chart_id="a"))

    assert [entry.field for entry in check.entries] == ["image_ids[0]"]
    assert len(check.violations) == 1
    assert check.violations[0][0] == "size_chart_id"
    assert "also in image_ids[0]" in check.violations[0][1]


def test_images_over_limit_not_looked_up():
    images = tuple(f"id-{index}" for index in range(11))

    check = check_slots(ListingSlots(images=images))

    assert len(check.entries) == 9
    assert [field for field, _text in check.violations] == ["image_ids[9]", "image_ids[10]"]


@pytest.mark.parametrize("listing_id", ["a", "A-b_c.9", "x" * 64, "-leading-dash", "..."])
def test_valid_listing_ids(listing_id):
    assert listing_id_problem(listing_id) is None


@pytest.mark.parametrize("listing_id", ["", "x" * 65, "a b", "a,b", "a/b", "é", "a\n"])
def test_invalid_listing_ids(listing_id):
    assert listing_id_problem(listing_id) is not None


def test_media_id_form():
    assert is_media_id("0b8f3f8e-2f0e-4a59-9d0e-2a4b5e7f0c11")
    assert not is_media_id("0B8F3F8E-2F0E-4A59-9D0E-2A4B5E7F0C11")
    assert not is_media_id("0b8f3f8e2f0e4a599d0e2a4b5e7f0c11")
    assert not is_media_id("photo.jpg")
