"""Fixtures of the catalogue tests: fake downstream services and a real catalogue server on port 0."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import grpc
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc

from services.catalogue.app import build
from services.catalogue.settings import CatalogueSettings
from tests.catalogue.fakes import FakeStorage, FakeValidation, RunningFakes, start_fakes

CHUNK = 256 * 1024


@dataclass
class Catalogue:
    stub: catalogue_pb2_grpc.CatalogueServiceStub
    validation: FakeValidation
    storage: FakeStorage
    database_url: str
    settings: CatalogueSettings

    def new_seller(self, name: str = "Shop", quota_bytes: int = 0) -> catalogue_pb2.CreateSellerResponse:
        return self.stub.CreateSeller(catalogue_pb2.CreateSellerRequest(name=name, quota_bytes=quota_bytes))

    def upload(
        self,
        seller_id: str,
        data: bytes,
        file_name: str = "photo.jpg",
        *,
        folder_id: str = "",
        name: str = "",
        idempotency_key: str = "",
    ) -> catalogue_pb2.UploadMediaResponse:
        header = catalogue_pb2.UploadHeader(
            seller_id=seller_id, folder_id=folder_id, file_name=file_name, name=name, idempotency_key=idempotency_key
        )

        def requests():
            yield catalogue_pb2.UploadMediaRequest(header=header)
            for start in range(0, len(data), CHUNK):
                yield catalogue_pb2.UploadMediaRequest(chunk=data[start : start + CHUNK])
            yield catalogue_pb2.UploadMediaRequest(end=catalogue_pb2.UploadEnd(byte_size=len(data)))

        return self.stub.UploadMedia(requests(), timeout=30)

    def folders(self, seller_id: str) -> dict[str, catalogue_pb2.Folder]:
        listed = self.stub.ListFolders(catalogue_pb2.ListFoldersRequest(seller_id=seller_id))
        return {folder.name: folder for folder in listed.folders}


@pytest.fixture
def fakes() -> Iterator[RunningFakes]:
    running = start_fakes()
    yield running
    running.stop()


@pytest.fixture
def catalogue(database_url: str, fakes: RunningFakes, tmp_path) -> Iterator[Catalogue]:
    """A catalogue server on a free port with a fresh database and fake validation and storage."""
    settings = CatalogueSettings(
        database_url=database_url,
        validation_address=fakes.validation_address,
        storage_address=fakes.storage_address,
        public_base_url="http://media.test",
        upload_spool_dir=str(tmp_path),
        grpc_port=0,
        db_pool_size=8,
        grpc_workers=40,
    )
    running = build(settings)
    channel = grpc.insecure_channel(f"127.0.0.1:{running.port}")
    yield Catalogue(
        catalogue_pb2_grpc.CatalogueServiceStub(channel), fakes.validation, fakes.storage, database_url, settings
    )
    channel.close()
    running.stop(0)
