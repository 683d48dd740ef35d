"""A screenshot of the main page with a few uploaded images and one rejected file, for the docs.

Set MEDIACENTER_UPDATE_SCREENSHOT=1 to write it to docs/screenshot-main.png;
otherwise it goes to the test's temporary folder.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.helpers import upload_images
from tests.support.media import make_jpeg

pytestmark = pytest.mark.browser

UPDATE_VARIABLE = "MEDIACENTER_UPDATE_SCREENSHOT"
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-main.png"
VIEWPORT = {"width": 1280, "height": 860}

# Product-like pictures: a background colour and a simple shape in front of it.
PRODUCTS = [
    ("sneaker-red-side.jpg", (236, 239, 244), (200, 40, 50), "ellipse"),
    ("sneaker-red-top.jpg", (244, 236, 228), (200, 40, 50), "rectangle"),
    ("summer-dress-blue.png", (230, 240, 250), (40, 90, 180), "polygon"),
    ("leather-bag-brown.jpg", (245, 242, 235), (120, 70, 35), "rectangle"),
    ("wool-scarf-green.png", (238, 245, 238), (40, 130, 80), "ellipse"),
]


def product_picture(background: tuple[int, int, int], colour: tuple[int, int, int], shape: str, file_name: str) -> bytes:
    image = Image.new("RGB", (800, 800), background)
    draw = ImageDraw.Draw(image)
    if shape == "ellipse":
        draw.ellipse((140, 260, 660, 560), fill=colour)
    elif shape == "rectangle":
        draw.rounded_rectangle((200, 220, 600, 600), radius=40, fill=colour)
    else:
        draw.polygon([(400, 140), (640, 660), (160, 660)], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG" if file_name.endswith(".png") else "JPEG", quality=90)
    return buffer.getvalue()


def test_main_page_screenshot(signed_in_page, media_dir, tmp_path):
    page = signed_in_page
    page.set_viewport_size(VIEWPORT)
    paths = []
    for file_name, background, colour, shape in PRODUCTS:
        path = media_dir / file_name
        path.write_bytes(product_picture(background, colour, shape, file_name))
        paths.append(path)
    upload_images(page, paths)
    expect(page.locator("#media-grid > li")).to_have_count(len(PRODUCTS))
    too_small = media_dir / "tag-closeup.jpg"
    too_small.write_bytes(make_jpeg(240, 180, seed=5))
    upload_images(page, [too_small], expected_state="Failed")
    page.get_by_role("checkbox", name="sneaker-red-side.jpg", exact=True).check()
    page.get_by_role("checkbox", name="sneaker-red-top.jpg", exact=True).check()
    page.get_by_role("button", name="Clear finished").click()
    expect(page.locator("#upload-list > li")).to_have_count(1)
    page.wait_for_function("[...document.images].every((image) => image.complete)")
    # Park the mouse on empty space so no control shows its hover style.
    page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)

    target = DOCS_SCREENSHOT if os.environ.get(UPDATE_VARIABLE) == "1" else tmp_path / "screenshot-main.png"
    page.screenshot(path=str(target))

    with Image.open(target) as screenshot:
        assert screenshot.format == "PNG"
        assert screenshot.size == (VIEWPORT["width"], VIEWPORT["height"])
