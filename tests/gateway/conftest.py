"""Fixtures: the three fake services on free ports, and the gateway app in front of them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import GatewaySettings
from tests.gateway.fakes import PUBLIC_BASE_URL, FakeServices, start_fake_services


@pytest.fixture(scope="package")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="package", autouse=True)
async def one_event_loop(anyio_backend: str) -> AsyncIterator[None]:
    """Run every gateway test on one event loop.

    The gRPC asyncio poller keeps the loop of the calls it serves. With a new loop per test, an event
    of a call from an earlier test that arrives after that test's loop closed fails a later test with
    "Event loop is closed".
    """
    yield


@pytest.fixture
def services() -> Iterator[FakeServices]:
    fakes = start_fake_services()
    try:
        yield fakes
    finally:
        fakes.stop_all()


def gateway_settings(services: FakeServices, **overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "catalogue_address": services.address("catalogue"),
        "listing_address": services.address("listing"),
        "storage_address": services.address("storage"),
        "call_timeout_seconds": 5.0,
        "upload_timeout_seconds": 10.0,
    }
    values.update(overrides)
    return GatewaySettings(**values)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    services: FakeServices
    seller_id: str
    api_key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def open_gateway(services: FakeServices, **overrides: object):
    app = create_app(gateway_settings(services, **overrides))
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_BASE_URL)
    return app, lifespan, client


@asynccontextmanager
async def seller_gateway(services: FakeServices, **overrides: object) -> AsyncIterator[Gateway]:
    """Open a gateway app in front of the fakes, with a new seller and its API key."""
    _app, lifespan, client = await open_gateway(services, **overrides)
    seller_id, api_key = services.catalogue.create_seller()
    try:
        yield Gateway(client, services, seller_id, api_key)
    finally:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def gateway(services: FakeServices) -> AsyncIterator[Gateway]:
    """A gateway app in front of fresh fakes, with one seller and its API key."""
    async with seller_gateway(services) as opened:
        yield opened
