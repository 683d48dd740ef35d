"""Fixtures of the listing tests: a fake catalogue and a real listing server on free ports."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from mediacenter.listing.v1 import listing_pb2_grpc

from services.listing.app import build
from services.listing.settings import ListingSettings
from tests.listing.fakes import FakeCatalogue, start_fake_catalogue


@pytest.fixture
def fake_catalogue_server() -> Iterator:
    running = start_fake_catalogue()
    yield running
    running.server.stop(0).wait()


@pytest.fixture
def catalogue(fake_catalogue_server) -> FakeCatalogue:
    return fake_catalogue_server.catalogue


@pytest.fixture
def listing_settings(database_url: str, fake_catalogue_server) -> ListingSettings:
    return ListingSettings(
        database_url=database_url,
        catalogue_address=fake_catalogue_server.address,
        grpc_port=0,
        call_timeout_seconds=5.0,
        db_pool_size=10,
    )


@pytest.fixture
def listing_server(listing_settings: ListingSettings) -> Iterator:
    running = build(listing_settings)
    yield running
    running.stop(0)


@pytest.fixture
def listing(listing_server) -> Iterator[listing_pb2_grpc.ListingServiceStub]:
    with grpc.insecure_channel(f"127.0.0.1:{listing_server.port}") as channel:
        yield listing_pb2_grpc.ListingServiceStub(channel)
