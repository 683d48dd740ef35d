"""The API docs page renders in the browser from the gateway alone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_docs_render_without_other_hosts(page, base_url: str):
    gateway_host = urlsplit(base_url).netloc
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto("/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Product Media Center")
    expect(page.get_by_text("/v1/media/export-urls").first).to_be_visible()
    assert hosts == {gateway_host}
