"""One seller never sees, changes or learns about another seller's folders and media."""

import grpc
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.runtime.errors import ErrorDetails
from tests.support.media import make_jpeg

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _error(call, request) -> ErrorDetails:
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return ErrorDetails.from_rpc_error(caught.value)


@pytest.fixture
def two_sellers(catalogue):
    ann = catalogue.new_seller("Ann").seller.id
    bob = catalogue.new_seller("Bob").seller.id
    folder = catalogue.stub.CreateFolder(
        catalogue_pb2.CreateFolderRequest(seller_id=ann, name="Private", kind=common_pb2.MEDIA_KIND_IMAGE)
    )
    media = catalogue.upload(ann, make_jpeg(seed=5), "secret plan.jpg", folder_id=folder.id).media
    return ann, bob, folder, media


def _same_as_unknown(foreign: ErrorDetails, unknown: ErrorDetails, foreign_id: str) -> None:
    assert foreign.code == unknown.code == grpc.StatusCode.NOT_FOUND
    assert foreign.reason == unknown.reason
    assert foreign.message.replace(foreign_id, "<id>") == unknown.message.replace(UNKNOWN_ID, "<id>")


def test_media_calls_treat_foreign_id_as_unknown(catalogue, two_sellers):
    ann, bob, _folder, media = two_sellers
    calls = [
        (catalogue.stub.GetMedia, lambda media_id: catalogue_pb2.GetMediaRequest(seller_id=bob, media_id=media_id)),
        (
            catalogue.stub.UpdateMedia,
            lambda media_id: catalogue_pb2.UpdateMediaRequest(seller_id=bob, media_id=media_id, name="mine now"),
        ),
        (
            catalogue.stub.DeleteMedia,
            lambda media_id: catalogue_pb2.DeleteMediaRequest(seller_id=bob, media_id=media_id),
        ),
    ]

    for call, make_request in calls:
        _same_as_unknown(_error(call, make_request(media.id)), _error(call, make_request(UNKNOWN_ID)), media.id)

    unchanged = catalogue.stub.GetMedia(catalogue_pb2.GetMediaRequest(seller_id=ann, media_id=media.id))
    assert unchanged.name == "secret plan.jpg"


def test_folder_calls_treat_foreign_id_as_unknown(catalogue, two_sellers):
    ann, bob, folder, _media = two_sellers
    calls = [
        (
            catalogue.stub.RenameFolder,
            lambda folder_id: catalogue_pb2.RenameFolderRequest(seller_id=bob, folder_id=folder_id, name="x"),
        ),
        (
            catalogue.stub.DeleteFolder,
            lambda folder_id: catalogue_pb2.DeleteFolderRequest(seller_id=bob, folder_id=folder_id),
        ),
    ]

    for call, make_request in calls:
        _same_as_unknown(_error(call, make_request(folder.id)), _error(call, make_request(UNKNOWN_ID)), folder.id)

    assert "Private" in catalogue.folders(ann)
    assert "Private" not in catalogue.folders(bob)


def test_upload_into_foreign_folder_is_unknown_folder(catalogue, two_sellers):
    _ann, bob, folder, _media = two_sellers

    with pytest.raises(grpc.RpcError) as foreign:
        catalogue.upload(bob, make_jpeg(seed=6), folder_id=folder.id)
    with pytest.raises(grpc.RpcError) as unknown:
        catalogue.upload(bob, make_jpeg(seed=6), folder_id=UNKNOWN_ID)

    _same_as_unknown(
        ErrorDetails.from_rpc_error(foreign.value), ErrorDetails.from_rpc_error(unknown.value), folder.id
    )


def test_move_into_foreign_folder_is_unknown_folder(catalogue, two_sellers):
    _ann, bob, folder, _media = two_sellers
    own = catalogue.upload(bob, make_jpeg(seed=7)).media

    def move(folder_id):
        return catalogue_pb2.UpdateMediaRequest(seller_id=bob, media_id=own.id, folder_id=folder_id)

    _same_as_unknown(
        _error(catalogue.stub.UpdateMedia, move(folder.id)), _error(catalogue.stub.UpdateMedia, move(UNKNOWN_ID)),
        folder.id,
    )


def test_lists_and_searches_show_own_items_only(catalogue, two_sellers):
    ann, bob, folder, media = two_sellers
    same_bytes = catalogue.upload(bob, make_jpeg(seed=5), "bob copy.jpg")

    search = catalogue.stub.SearchMedia(catalogue_pb2.SearchMediaRequest(seller_id=bob, query="secret"))
    in_folder = catalogue.stub.SearchMedia(catalogue_pb2.SearchMediaRequest(seller_id=bob, folder_id=folder.id))
    batch = catalogue.stub.BatchGetMedia(catalogue_pb2.BatchGetMediaRequest(seller_id=bob, media_ids=[media.id]))
    capacity = catalogue.stub.GetCapacity(catalogue_pb2.GetCapacityRequest(seller_id=bob))

    assert list(search.items) == []
    assert list(in_folder.items) == []
    assert list(batch.media) == []
    assert list(batch.missing_ids) == [media.id]
    assert not same_bytes.duplicate
    assert same_bytes.media.id != media.id
    assert capacity.used_bytes == same_bytes.media.metadata.byte_size
    assert catalogue.stub.GetCapacity(catalogue_pb2.GetCapacityRequest(seller_id=ann)).used_bytes == (
        media.metadata.byte_size
    )


def test_folder_names_are_per_seller(catalogue, two_sellers):
    ann, bob, _folder, _media = two_sellers

    bob_private = catalogue.stub.CreateFolder(
        catalogue_pb2.CreateFolderRequest(seller_id=bob, name="Private", kind=common_pb2.MEDIA_KIND_IMAGE)
    )

    assert bob_private.name == "Private"
    assert catalogue.folders(ann)["Private"].id != bob_private.id
