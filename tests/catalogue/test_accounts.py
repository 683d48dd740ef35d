"""Sellers, API keys and capacity."""

import grpc
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.catalogue.settings import FIVE_GIB
from services.runtime.errors import ErrorDetails
from tests.support.media import make_jpeg


def _error(call, *args):
    with pytest.raises(grpc.RpcError) as caught:
        call(*args)
    return ErrorDetails.from_rpc_error(caught.value)


def test_create_seller_gives_defaults(catalogue):
    created = catalogue.new_seller("Ann's shoes")

    folders = catalogue.stub.ListFolders(catalogue_pb2.ListFoldersRequest(seller_id=created.seller.id)).folders
    assert created.seller.quota_bytes == FIVE_GIB
    assert created.seller.used_bytes == 0
    assert created.api_key.startswith("mc_")
    assert [(f.name, f.kind, f.is_default) for f in folders] == [
        ("Images", common_pb2.MEDIA_KIND_IMAGE, True),
        ("Videos", common_pb2.MEDIA_KIND_VIDEO, True),
    ]


def test_create_seller_rejects_bad_input(catalogue):
    empty = _error(catalogue.stub.CreateSeller, catalogue_pb2.CreateSellerRequest(name="  "))
    negative = _error(catalogue.stub.CreateSeller, catalogue_pb2.CreateSellerRequest(name="x", quota_bytes=-1))

    assert empty.code == grpc.StatusCode.INVALID_ARGUMENT
    assert empty.field_violations[0][0] == "name"
    assert negative.code == grpc.StatusCode.INVALID_ARGUMENT
    assert negative.field_violations[0][0] == "quota_bytes"


def test_authenticate_returns_seller(catalogue):
    created = catalogue.new_seller()

    found = catalogue.stub.AuthenticateApiKey(catalogue_pb2.AuthenticateApiKeyRequest(api_key=created.api_key))

    assert found.seller_id == created.seller.id
    assert found.api_key_id == created.api_key_id


def test_only_key_hash_is_stored(catalogue):
    import psycopg

    created = catalogue.new_seller()

    with psycopg.connect(catalogue.database_url) as connection:
        rows = connection.execute("SELECT key_hash, key_prefix FROM catalogue.api_keys").fetchall()
    assert len(rows) == 1
    assert created.api_key.encode() not in bytes(rows[0][0])
    assert len(rows[0][1]) < 10


@pytest.mark.parametrize("key", ["", "not-a-key", "mc_short", "mc_" + "A" * 43])
def test_authenticate_rejects_unknown_and_malformed(catalogue, key):
    catalogue.new_seller()

    error = _error(catalogue.stub.AuthenticateApiKey, catalogue_pb2.AuthenticateApiKeyRequest(api_key=key))

    assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert "key" in error.message


def test_revoked_key_no_longer_authenticates(catalogue):
    created = catalogue.new_seller()
    second = catalogue.stub.CreateApiKey(catalogue_pb2.CreateApiKeyRequest(seller_id=created.seller.id))

    catalogue.stub.RevokeApiKey(catalogue_pb2.RevokeApiKeyRequest(api_key_id=created.api_key_id))

    revoked = _error(catalogue.stub.AuthenticateApiKey, catalogue_pb2.AuthenticateApiKeyRequest(api_key=created.api_key))
    still = catalogue.stub.AuthenticateApiKey(catalogue_pb2.AuthenticateApiKeyRequest(api_key=second.api_key))
    assert revoked.code == grpc.StatusCode.UNAUTHENTICATED
    assert "revoked" in revoked.message
    assert still.seller_id == created.seller.id


def test_revoke_unknown_key_is_not_found(catalogue):
    error = _error(
        catalogue.stub.RevokeApiKey,
        catalogue_pb2.RevokeApiKeyRequest(api_key_id="00000000-0000-4000-8000-000000000000"),
    )

    assert error.code == grpc.StatusCode.NOT_FOUND


def test_quota_cannot_drop_below_usage(catalogue):
    created = catalogue.new_seller()
    uploaded = catalogue.upload(created.seller.id, make_jpeg())
    size = uploaded.media.metadata.byte_size

    error = _error(
        catalogue.stub.SetSellerQuota,
        catalogue_pb2.SetSellerQuotaRequest(seller_id=created.seller.id, quota_bytes=size - 1),
    )
    exact = catalogue.stub.SetSellerQuota(
        catalogue_pb2.SetSellerQuotaRequest(seller_id=created.seller.id, quota_bytes=size)
    )

    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert exact.quota_bytes == size
    assert exact.used_bytes == size


def test_capacity_of_unknown_seller_is_not_found(catalogue):
    error = _error(
        catalogue.stub.GetCapacity, catalogue_pb2.GetCapacityRequest(seller_id="00000000-0000-4000-8000-000000000000")
    )

    assert error.code == grpc.StatusCode.NOT_FOUND
