"""The Media Center page in headless Chromium: signing in, uploads, the storage meter, search and folders."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    grid_names,
    media_card,
    select_media,
    upload_images,
    upload_row,
    write_images,
    write_video,
)
from tests.support.media import make_jpeg, make_mp4

pytestmark = pytest.mark.browser


def test_sign_in_rejects_wrong_key(page, seller):
    page.goto("/")

    page.get_by_label("API key").fill("not-a-real-key")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#sign-in-error")).not_to_be_empty()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('mediacenter.api_key')") is None


def test_sign_out_forgets_key(signed_in_page):
    page = signed_in_page
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("localStorage.getItem('mediacenter.api_key')") is None


def test_upload_shows_added_duplicate_and_rejected(signed_in_page, media_dir):
    page = signed_in_page
    good = write_images(media_dir, ["red-shoe.jpg", "blue-shoe.png"])
    too_small = media_dir / "thumbnail.jpg"
    too_small.write_bytes(make_jpeg(100, 100, seed=99))

    page.locator("#upload-images-input").set_input_files([str(path) for path in [*good, too_small]])

    for path in good:
        expect(upload_row(page, path.name).locator(".upload-state")).to_have_text("Added")
    rejected = upload_row(page, "thumbnail.jpg")
    expect(rejected.locator(".upload-state")).to_have_text("Failed")
    reasons = rejected.locator(".upload-reasons li")
    expect(reasons).to_have_count(2)
    expect(reasons.nth(0)).to_contain_text("300")
    expect(reasons.nth(1)).to_contain_text("300")
    expect(page.locator("#media-grid > li")).to_have_count(2)

    page.locator("#upload-images-input").set_input_files(str(good[0]))
    expect(upload_row(page, "red-shoe.jpg").nth(1).locator(".upload-state")).to_have_text("Already in your library")
    expect(page.locator("#media-grid > li")).to_have_count(2)


def test_try_again_sends_the_file_again(signed_in_page, media_dir):
    page = signed_in_page
    too_small = media_dir / "small.jpg"
    too_small.write_bytes(make_jpeg(120, 400, seed=7))
    page.locator("#upload-images-input").set_input_files(str(too_small))
    row = upload_row(page, "small.jpg")
    expect(row.locator(".upload-state")).to_have_text("Failed")
    expect(row.locator(".upload-reasons li")).to_have_count(1)

    with page.expect_response(lambda response: "/v1/media" in response.url and response.request.method == "POST") as sent:
        row.get_by_role("button", name="Try again: small.jpg").click()

    assert sent.value.status == 422
    expect(row.locator(".upload-state")).to_have_text("Failed")
    expect(row.locator(".upload-reasons li")).to_have_text(re.compile("120"))
    expect(row.get_by_role("button", name="Try again: small.jpg")).to_be_visible()


def test_video_upload_shows_duration(signed_in_page, media_dir, seller):
    page = signed_in_page
    video = write_video(media_dir, "unboxing.mp4", seconds=2.0)

    page.locator("#upload-video-input").set_input_files(str(video))

    expect(upload_row(page, "unboxing.mp4").locator(".upload-state")).to_have_text("Added")
    card = media_card(page, "unboxing.mp4")
    expect(card.locator(".badge")).to_have_text("Video")
    expect(card).to_contain_text("640 × 360")
    with seller.api() as client:
        duration_ms = client.get("/v1/media", params={"kind": "video"}).json()["items"][0]["duration_ms"]
    assert 1900 <= duration_ms <= 2100
    tenths = duration_ms // 100
    expect(card).to_contain_text(f"0:{tenths // 10:02}.{tenths % 10}")


def test_capacity_meter_grows_after_upload(signed_in_page, media_dir):
    page = signed_in_page
    meter = page.get_by_role("meter", name="Storage")
    expect(meter).to_have_attribute("aria-valuenow", "0")
    paths = write_images(media_dir, ["one.jpg", "two.jpg"], width=900, height=900)
    total_bytes = sum(path.stat().st_size for path in paths)

    upload_images(page, paths)

    expect(meter).to_have_attribute("aria-valuenow", str(total_bytes))
    expect(page.locator("#capacity-text")).to_have_text(re.compile(r"^\d+(\.\d)? KB of 5 GB used$"))
    assert page.locator("#capacity-fill").evaluate("element => element.getBoundingClientRect().width") > 0


def test_search_by_name(signed_in_page, media_dir):
    page = signed_in_page
    upload_images(page, write_images(media_dir, ["red-summer-dress.jpg", "blue-winter-coat.png", "red-scarf.jpg"]))
    expect(page.locator("#media-grid > li")).to_have_count(3)

    page.locator("#search-form").get_by_label("Name", exact=True).fill("summer")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#media-grid > li")).to_have_count(1)
    assert grid_names(page) == ["red-summer-dress.jpg"]

    page.locator("#search-form").get_by_label("Name", exact=True).fill("RED")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#media-grid > li")).to_have_count(2)
    assert sorted(grid_names(page)) == ["red-scarf.jpg", "red-summer-dress.jpg"]

    page.locator("#search-form").get_by_label("Name", exact=True).fill("no-such-name")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#grid-empty")).to_be_visible()


def test_search_by_day_and_range(signed_in_page, media_dir):
    page = signed_in_page
    upload_images(page, write_images(media_dir, ["today-a.jpg", "today-b.jpg"]))
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    tomorrow = today + timedelta(days=1)
    grid = page.locator("#media-grid > li")
    search_button = page.get_by_role("button", name="Search", exact=True)

    page.get_by_label("Date", exact=True).select_option("day")
    page.get_by_label("Day", exact=True).fill(today.isoformat())
    search_button.click()
    expect(grid).to_have_count(2)

    page.get_by_label("Day", exact=True).fill(yesterday.isoformat())
    search_button.click()
    expect(grid).to_have_count(0)
    expect(page.locator("#grid-empty")).to_be_visible()

    page.get_by_label("Date", exact=True).select_option("range")
    page.get_by_label("From", exact=True).fill(yesterday.isoformat())
    page.get_by_label("To (inclusive)", exact=True).fill(today.isoformat())
    search_button.click()
    expect(grid).to_have_count(2)

    page.get_by_label("From", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("To (inclusive)", exact=True).fill(tomorrow.isoformat())
    search_button.click()
    expect(grid).to_have_count(0)

    page.get_by_label("From", exact=True).fill(today.isoformat())
    page.get_by_label("To (inclusive)", exact=True).fill(yesterday.isoformat())
    search_button.click()
    expect(page.locator("#search-error")).to_contain_text("is after the To date")


def test_load_more_appends_next_page(signed_in_page, media_dir, seller):
    page = signed_in_page
    with seller.api() as client:
        for seed in range(32):
            response = client.post("/v1/media", files={"file": (f"bulk-{seed:02}.jpg", make_jpeg(320, 320, seed=1000 + seed), "image/jpeg")})
            assert response.status_code == 201, response.text

    page.reload()

    expect(page.locator("#media-grid > li")).to_have_count(30)
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("#media-grid > li")).to_have_count(32)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()


def test_folder_create_rename_and_delete(signed_in_page, media_dir):
    page = signed_in_page
    nav = page.get_by_role("navigation", name="Folders")

    nav.get_by_role("button", name="+ New image folder").click()
    page.get_by_label("Folder name").fill("Summer")
    page.get_by_role("button", name="Create folder").click()
    expect(nav.get_by_role("button", name=re.compile("^Summer"))).to_have_attribute("aria-current", "page")
    expect(page.locator("#library-title")).to_have_text("Summer")

    upload_images(page, write_images(media_dir, ["beach.jpg"]))
    expect(nav.locator("[data-folder-id]").filter(has_text="Summer").locator(".nav-count")).to_have_text("1")

    nav.get_by_role("button", name="Rename folder Summer").click()
    page.get_by_label("Folder name").fill("Summer sale")
    page.locator("#text-dialog").get_by_role("button", name="Rename", exact=True).click()
    expect(nav.get_by_role("button", name=re.compile("^Summer sale"))).to_be_visible()
    expect(page.locator("#library-title")).to_have_text("Summer sale")

    nav.get_by_role("button", name="Delete folder Summer sale").click()
    page.get_by_role("button", name="Delete folder", exact=True).click()
    expect(page.locator("#confirm-dialog-error")).not_to_be_empty()
    page.locator("#confirm-dialog-cancel").click()

    expect(nav.get_by_role("button", name=re.compile("^Images \\(default\\)"))).to_be_visible()
    expect(nav.get_by_role("button", name=re.compile("^Delete folder Images"))).to_have_count(0)


def test_card_checkbox_reachable_by_keyboard(signed_in_page, media_dir):
    page = signed_in_page
    upload_images(page, write_images(media_dir, ["keyboard.jpg"]))
    checkbox = page.get_by_role("checkbox", name="keyboard.jpg", exact=True)
    expect(checkbox).to_be_visible()

    # Rename, Move, Delete and Export URLs are disabled until something is selected, so the
    # next control in tab order after "Clear selection" is the first card's checkbox.
    page.get_by_role("button", name="Clear selection").focus()
    page.keyboard.press("Tab")
    expect(checkbox).to_be_focused()
    page.keyboard.press("Space")

    expect(checkbox).to_be_checked()
    expect(page.locator("#selection-count")).to_have_text("1 item selected")


def test_rename_and_move_selected(signed_in_page, media_dir, seller):
    page = signed_in_page
    with seller.api() as client:
        assert client.post("/v1/folders", json={"name": "Archive", "kind": "image"}).status_code == 201
    page.reload()
    upload_images(page, write_images(media_dir, ["old-name.jpg"]))

    select_media(page, ["old-name.jpg"])
    page.locator("#selection-bar").get_by_role("button", name="Rename", exact=True).click()
    rename_dialog = page.locator("#text-dialog")
    rename_dialog.get_by_label("Name", exact=True).fill("new-name.jpg")
    rename_dialog.get_by_role("button", name="Rename", exact=True).click()
    expect(media_card(page, "new-name.jpg")).to_be_visible()

    page.locator("#selection-bar").get_by_role("button", name="Move", exact=True).click()
    page.get_by_label("Folder", exact=True).select_option(label="Archive")
    page.locator("#move-dialog").get_by_role("button", name="Move").click()
    nav = page.get_by_role("navigation", name="Folders")
    expect(nav.locator("[data-folder-id]").filter(has_text="Archive").locator(".nav-count")).to_have_text("1")


def test_delete_in_use_offers_detach(signed_in_page, media_dir, seller):
    page = signed_in_page
    upload_images(page, write_images(media_dir, ["used.jpg"]))
    with seller.api() as client:
        media_id = client.get("/v1/media").json()["items"][0]["id"]
        assert client.put("/v1/listings/sku-42/media", json={"images": [media_id]}).status_code == 200

    select_media(page, ["used.jpg"])
    page.locator("#selection-bar").get_by_role("button", name="Delete", exact=True).click()
    page.locator("#delete-dialog-confirm").click()

    dialog = page.locator("#delete-dialog")
    expect(dialog.locator(".listing-ids")).to_have_text("sku-42")
    dialog.get_by_role("button", name="Remove from listings and delete").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#media-grid > li")).to_have_count(0)
    expect(page.get_by_role("meter", name="Storage")).to_have_attribute("aria-valuenow", "0")


def test_dropped_files_are_uploaded(signed_in_page):
    page = signed_in_page
    files = [
        {"name": "dropped-photo.jpg", "type": "image/jpeg", "data": base64.b64encode(make_jpeg(400, 400, seed=31)).decode()},
        {"name": "dropped-clip.mp4", "type": "video/mp4", "data": base64.b64encode(make_mp4(seconds=1.0)).decode()},
    ]
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const file of files) {
                const bytes = Uint8Array.from(atob(file.data), (character) => character.charCodeAt(0));
                transfer.items.add(new File([bytes], file.name, { type: file.type }));
            }
            return transfer;
        }""",
        files,
    )

    library = page.locator("#view-library")
    library.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(library).to_have_class(re.compile("drop-target"))
    library.dispatch_event("drop", {"dataTransfer": transfer})

    expect(library).not_to_have_class(re.compile("drop-target"))
    expect(upload_row(page, "dropped-photo.jpg").locator(".upload-state")).to_have_text("Added")
    expect(upload_row(page, "dropped-clip.mp4").locator(".upload-state")).to_have_text("Added")
    expect(media_card(page, "dropped-clip.mp4").locator(".badge")).to_have_text("Video")


UNNAMED_CONTROLS_SCRIPT = """() => {
    const controls = document.querySelectorAll("button, input, select, textarea, [tabindex], [role]");
    const unnamed = [];
    for (const control of controls) {
        if (control.closest("[hidden], dialog:not([open])") || control.type === "hidden") continue;
        const labelledBy = (control.getAttribute("aria-labelledby") || "")
            .split(" ").map((id) => document.getElementById(id)?.textContent || "").join("");
        const labels = [...(control.labels || [])].map((label) => label.textContent).join("");
        const name = (control.getAttribute("aria-label") || labelledBy || labels || control.textContent || control.title || "").trim();
        const needsName = control.matches("button, input, select, textarea, [role=tab], [role=meter], [role=tabpanel], li[tabindex]");
        if (needsName && !name) unnamed.push(control.outerHTML.slice(0, 120));
    }
    return unnamed;
}"""


def test_controls_have_accessible_names(signed_in_page, media_dir):
    page = signed_in_page
    upload_images(page, write_images(media_dir, ["named.jpg"]))
    expect(media_card(page, "named.jpg")).to_be_visible()

    assert page.evaluate(UNNAMED_CONTROLS_SCRIPT) == []

    page.get_by_role("tab", name="Media library").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Listing media editor")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tab", name="Listing media editor")).to_be_focused()
    page.get_by_label("Listing id").fill("sku-names")
    page.get_by_label("Listing id").press("Enter")
    expect(page.locator("#listing-editor")).to_be_visible()

    assert page.evaluate(UNNAMED_CONTROLS_SCRIPT) == []
