"""The Export URLs dialog and the listing media editor in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Seller
from tests.browser.helpers import select_media
from tests.support.media import make_jpeg

pytestmark = pytest.mark.browser


def upload_through_api(seller: Seller, names: list[str], *, first_seed: int = 500) -> dict[str, dict]:
    """Upload one small valid JPEG per name and return the media items by name."""
    items = {}
    with seller.api() as client:
        for seed, name in enumerate(names, start=first_seed):
            response = client.post("/v1/media", files={"file": (name, make_jpeg(320, 320, seed=seed), "image/jpeg")})
            assert response.status_code == 201, response.text
            items[name] = response.json()
    return items


def export_names(page) -> list[str]:
    return page.locator("#export-list .export-name").all_inner_texts()


def test_export_reorders_by_keyboard_and_drag(signed_in_page, seller):
    page = signed_in_page
    items = upload_through_api(seller, ["alpha.jpg", "bravo.jpg", "charlie.jpg"])
    page.reload()
    select_media(page, ["alpha.jpg", "bravo.jpg", "charlie.jpg"])

    page.get_by_role("button", name="Export URLs").click()
    dialog = page.get_by_role("dialog", name="Export URLs of 3 items")
    expect(dialog).to_be_visible()
    assert export_names(page) == ["alpha.jpg", "bravo.jpg", "charlie.jpg"]

    dialog.locator(".export-item", has_text="bravo.jpg").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#export-live")).to_have_text("bravo.jpg moved to position 1 of 3.")
    assert export_names(page) == ["bravo.jpg", "alpha.jpg", "charlie.jpg"]
    expect(dialog.locator(".export-item", has_text="bravo.jpg")).to_be_focused()

    source = dialog.locator(".export-item", has_text="charlie.jpg")
    target = dialog.locator(".export-item", has_text="bravo.jpg")
    source.drag_to(target, target_position={"x": 20, "y": 3})
    expect(page.locator("#export-live")).to_have_text("charlie.jpg moved to position 1 of 3.")
    assert export_names(page) == ["charlie.jpg", "bravo.jpg", "alpha.jpg"]

    expected_urls = [items[name]["url"] for name in ["charlie.jpg", "bravo.jpg", "alpha.jpg"]]
    expect(page.get_by_label("URLs, one per line")).to_have_value("\n".join(expected_urls))
    dialog.get_by_role("button", name="Copy all").click()
    expect(page.locator("#export-status")).to_have_text("Copied 3 URLs to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == "\n".join(expected_urls)

    with page.expect_download() as download_info:
        dialog.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "media-urls.csv"
    with open(download.path(), encoding="utf-8", newline="") as csv_file:
        assert csv_file.read().splitlines() == ["url", *expected_urls]


def test_export_move_buttons_reorder(signed_in_page, seller):
    page = signed_in_page
    items = upload_through_api(seller, ["first.jpg", "second.jpg"], first_seed=600)
    page.reload()
    select_media(page, ["first.jpg", "second.jpg"])
    page.get_by_role("button", name="Export URLs").click()

    page.get_by_role("button", name="Move first.jpg down").click()

    assert export_names(page) == ["second.jpg", "first.jpg"]
    expect(page.get_by_label("URLs, one per line")).to_have_value(f"{items['second.jpg']['url']}\n{items['first.jpg']['url']}")
    expect(page.get_by_role("button", name="Move first.jpg up")).to_be_focused()


def open_listing(page, listing_id: str) -> None:
    page.get_by_role("tab", name="Listing media editor").click()
    page.get_by_label("Listing id").fill(listing_id)
    page.get_by_role("button", name="Load listing").click()
    expect(page.locator("#listing-editor")).to_be_visible()


def test_listing_takes_nine_images_and_refuses_a_tenth(signed_in_page, seller):
    page = signed_in_page
    names = [f"photo-{number:02}.jpg" for number in range(1, 11)]
    items = upload_through_api(seller, names, first_seed=700)
    open_listing(page, "sku-nine")
    expect(page.locator("#listing-summary")).to_contain_text("new, not saved yet")

    page.get_by_role("button", name="Add images").click()
    picker = page.get_by_role("dialog", name="Add images (9 free slots)")
    for name in names[:9]:
        picker.get_by_role("checkbox", name=name, exact=True).check()
    tenth = picker.get_by_role("checkbox", name=names[9], exact=True)
    tenth.click()
    expect(tenth).not_to_be_checked()
    expect(page.locator("#picker-message")).to_contain_text("at most 9 images")
    picker.get_by_role("button", name="Choose").click()

    slots = page.locator("#listing-images .slot.filled .slot-name")
    expect(slots).to_have_count(9)
    assert slots.all_inner_texts() == names[:9]
    expect(page.locator("#listing-images .slot").first.locator(".slot-label")).to_have_text("Main image")

    page.get_by_role("button", name="Add images").click()
    expect(page.locator("#listing-limit")).to_have_text("A listing holds at most 9 images. Remove one before adding another.")
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("button", name="Save listing media").click()
    expect(page.locator("#listing-summary")).to_contain_text("version 1")
    with seller.api() as client:
        saved = client.get("/v1/listings/sku-nine/media").json()
    assert [image["id"] for image in saved["images"]] == [items[name]["id"] for name in names[:9]]


def test_listing_save_reports_change_elsewhere(signed_in_page, seller):
    page = signed_in_page
    items = upload_through_api(seller, ["front.jpg", "back.jpg"], first_seed=800)
    with seller.api() as client:
        assert client.put("/v1/listings/sku-shared/media", json={"images": [items["front.jpg"]["id"]]}).status_code == 200
    open_listing(page, "sku-shared")
    expect(page.locator("#listing-images .slot.filled .slot-name")).to_have_text(["front.jpg"])
    with seller.api() as client:
        assert client.put("/v1/listings/sku-shared/media", json={"images": [items["back.jpg"]["id"]]}).status_code == 200

    page.get_by_role("button", name="Remove front.jpg from main image").click()
    page.get_by_role("button", name="Save listing media").click()

    expect(page.locator("#listing-save-error")).to_contain_text("changed elsewhere")
    page.get_by_role("button", name="Reload listing").click()
    expect(page.locator("#listing-images .slot.filled .slot-name")).to_have_text(["back.jpg"])
    expect(page.locator("#listing-summary")).to_contain_text("version 2")


def test_listing_video_and_size_chart_slots(signed_in_page, seller, media_dir):
    page = signed_in_page
    upload_through_api(seller, ["chart.jpg"], first_seed=900)
    open_listing(page, "sku-extras")

    page.get_by_role("button", name="Choose size chart").click()
    picker = page.get_by_role("dialog", name="Choose the size chart")
    picker.get_by_role("radio", name="chart.jpg", exact=True).check()
    picker.get_by_role("button", name="Choose").click()
    expect(page.locator("#listing-size-chart .slot-name")).to_have_text("chart.jpg")

    page.get_by_role("button", name="Save listing media").click()
    expect(page.locator("#listing-summary")).to_contain_text("version 1")
    expect(page.locator("#listing-summary")).to_contain_text("a size chart")


def test_listing_save_names_offending_ids(signed_in_page, seller):
    page = signed_in_page
    items = upload_through_api(seller, ["kept.jpg", "gone.jpg"], first_seed=950)
    open_listing(page, "sku-stale-pick")
    page.get_by_role("button", name="Add images").click()
    picker = page.get_by_role("dialog", name="Add images (9 free slots)")
    picker.get_by_role("checkbox", name="kept.jpg", exact=True).check()
    picker.get_by_role("checkbox", name="gone.jpg", exact=True).check()
    picker.get_by_role("button", name="Choose").click()
    with seller.api() as client:
        assert client.delete(f"/v1/media/{items['gone.jpg']['id']}").status_code == 204

    page.get_by_role("button", name="Save listing media").click()

    errors = page.locator("#listing-save-error")
    expect(errors).to_contain_text("Offending ids: " + items["gone.jpg"]["id"])
    expect(page.locator('#listing-images [data-slot="image:1"]')).to_have_class("slot filled offending")
    expect(page.locator('#listing-images [data-slot="image:0"]')).to_have_class("slot filled")
