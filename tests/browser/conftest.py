"""Fixtures that drive the Media Center page in Debian's headless Chromium against the whole product.

The tests are skipped when /usr/bin/chromium is missing, unless
MEDIACENTER_REQUIRE_BROWSER=1 is set, in which case they fail.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM_PATH = Path("/usr/bin/chromium")
REQUIRE_BROWSER_VARIABLE = "MEDIACENTER_REQUIRE_BROWSER"
# Flags for a quiet, sandbox-free headless run that talks to no host but the gateway.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Milliseconds a Playwright action or expectation waits before it fails.
# Uploads pass through validation and storage, so allow more than the default 5 s.
EXPECT_TIMEOUT_MS = 20_000

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM_PATH.exists():
        return
    if os.environ.get(REQUIRE_BROWSER_VARIABLE) == "1":
        # Fail in setup (see the `browser` fixture) rather than skip.
        return
    reason = (
        f"{CHROMIUM_PATH} is missing; install Debian's chromium package (apt-get install -y chromium) "
        f"to run the browser tests, or set {REQUIRE_BROWSER_VARIABLE}=1 to make this a failure"
    )
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package")
def browser():
    """Yield one headless Chromium for the browser tests.

    Playwright's sync API keeps an asyncio loop running on the main thread while it is open, and no
    asyncio test can run beside that loop. So the browser closes when the tests in this folder end.
    """
    if not CHROMIUM_PATH.exists():
        pytest.fail(f"{CHROMIUM_PATH} is missing and {REQUIRE_BROWSER_VARIABLE}=1 requires the browser tests to run")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def base_url(running_stack) -> str:
    return running_stack.gateway_url


@dataclass(frozen=True)
class Seller:
    seller_id: str
    api_key: str
    base_url: str

    def api(self) -> httpx.Client:
        """Return an HTTP client for this seller, for setting up and checking what the page shows."""
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=30
        )


@pytest.fixture
def seller(running_stack, base_url: str) -> Seller:
    """Create a new seller per test, so every test starts with an empty library."""
    seller_id, api_key = running_stack.create_seller(f"Browser test {uuid.uuid4().hex[:8]}")
    return Seller(seller_id, api_key, base_url)


@pytest.fixture
def context(browser, base_url: str):
    """Yield a fresh browser context (its own localStorage) that may use the clipboard."""
    browser_context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 860},
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    browser_context.set_default_timeout(EXPECT_TIMEOUT_MS)
    try:
        yield browser_context
    finally:
        browser_context.close()


@pytest.fixture
def page(context) -> Iterator:
    """Yield a page that fails the test on any uncaught script error."""
    errors: list[str] = []
    browser_page = context.new_page()
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    yield browser_page
    assert errors == [], f"the page raised script errors: {errors}"


@pytest.fixture
def signed_in_page(page, seller: Seller):
    """Open the page and sign in with the seller's key through the key prompt."""
    from playwright.sync_api import expect

    page.goto("/")
    key_input = page.get_by_label("API key")
    expect(key_input).to_be_visible()
    key_input.fill(seller.api_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("meter", name="Storage")).to_have_attribute("aria-valuetext", re.compile(r"^0 bytes of .+ used$"))
    return page


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "media"
    directory.mkdir()
    return directory
