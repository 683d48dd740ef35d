"""Reading, renaming, moving, deleting and resolving media items."""

import grpc
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.runtime.errors import ErrorDetails
from tests.catalogue.fakes import fake_mp4
from tests.support.media import make_jpeg

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _error(call, request) -> ErrorDetails:
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return ErrorDetails.from_rpc_error(caught.value)


def test_get_media_returns_item(catalogue):
    seller_id = catalogue.new_seller().seller.id
    uploaded = catalogue.upload(seller_id, make_jpeg()).media

    fetched = catalogue.stub.GetMedia(catalogue_pb2.GetMediaRequest(seller_id=seller_id, media_id=uploaded.id))

    assert fetched == uploaded


def test_batch_get_keeps_order_and_lists_missing(catalogue):
    seller_id = catalogue.new_seller().seller.id
    first = catalogue.upload(seller_id, make_jpeg(seed=1)).media
    second = catalogue.upload(seller_id, make_jpeg(seed=2)).media
    deleted = catalogue.upload(seller_id, make_jpeg(seed=3)).media
    catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=deleted.id))

    batch = catalogue.stub.BatchGetMedia(
        catalogue_pb2.BatchGetMediaRequest(
            seller_id=seller_id, media_ids=[second.id, UNKNOWN_ID, first.id, deleted.id, second.id, "junk"]
        )
    )

    assert [media.id for media in batch.media] == [second.id, first.id]
    assert list(batch.missing_ids) == [UNKNOWN_ID, deleted.id, "junk"]


def test_batch_get_limits_ids(catalogue):
    seller_id = catalogue.new_seller().seller.id

    error = _error(
        catalogue.stub.BatchGetMedia,
        catalogue_pb2.BatchGetMediaRequest(seller_id=seller_id, media_ids=[UNKNOWN_ID] * 1001),
    )

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT


def test_update_media_renames_and_moves(catalogue):
    seller_id = catalogue.new_seller().seller.id
    folder = catalogue.stub.CreateFolder(
        catalogue_pb2.CreateFolderRequest(seller_id=seller_id, name="Boots", kind=common_pb2.MEDIA_KIND_IMAGE)
    )
    media = catalogue.upload(seller_id, make_jpeg(), "a.jpg").media

    renamed = catalogue.stub.UpdateMedia(
        catalogue_pb2.UpdateMediaRequest(seller_id=seller_id, media_id=media.id, name="Boot, left side")
    )
    moved = catalogue.stub.UpdateMedia(
        catalogue_pb2.UpdateMediaRequest(seller_id=seller_id, media_id=media.id, folder_id=folder.id)
    )

    assert renamed.name == "Boot, left side"
    assert renamed.file_name == "Boot,-left-side.jpg"
    assert renamed.folder_id == media.folder_id
    assert moved.folder_id == folder.id
    assert moved.name == "Boot, left side"
    counts = {name: found.item_count for name, found in catalogue.folders(seller_id).items()}
    assert counts["Boots"] == 1
    assert counts["Images"] == 0


def test_update_media_refuses_folder_of_other_kind(catalogue):
    seller_id = catalogue.new_seller().seller.id
    media = catalogue.upload(seller_id, make_jpeg()).media
    videos = catalogue.folders(seller_id)["Videos"]

    error = _error(
        catalogue.stub.UpdateMedia,
        catalogue_pb2.UpdateMediaRequest(seller_id=seller_id, media_id=media.id, folder_id=videos.id),
    )

    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "image" in error.message
    assert "video" in error.message


def test_update_media_refuses_empty_name(catalogue):
    seller_id = catalogue.new_seller().seller.id
    media = catalogue.upload(seller_id, make_jpeg()).media

    error = _error(
        catalogue.stub.UpdateMedia,
        catalogue_pb2.UpdateMediaRequest(seller_id=seller_id, media_id=media.id, name=" \t "),
    )

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "name"


def test_delete_media_frees_capacity_and_keeps_blob(catalogue):
    seller_id = catalogue.new_seller().seller.id
    kept = catalogue.upload(seller_id, make_jpeg(seed=1)).media
    media = catalogue.upload(seller_id, make_jpeg(seed=2)).media

    deleted = catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=media.id))
    again = _error(catalogue.stub.DeleteMedia, catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=media.id))
    fetched = _error(catalogue.stub.GetMedia, catalogue_pb2.GetMediaRequest(seller_id=seller_id, media_id=media.id))

    capacity = catalogue.stub.GetCapacity(catalogue_pb2.GetCapacityRequest(seller_id=seller_id))
    assert deleted.freed_bytes == media.metadata.byte_size
    assert capacity.used_bytes == kept.metadata.byte_size
    assert again.code == grpc.StatusCode.NOT_FOUND
    assert fetched.code == grpc.StatusCode.NOT_FOUND
    assert media.blob_key in catalogue.storage.blobs


def test_resolve_public_media(catalogue):
    seller_id = catalogue.new_seller().seller.id
    media = catalogue.upload(seller_id, fake_mp4()).media

    resolved = catalogue.stub.ResolvePublicMedia(catalogue_pb2.ResolvePublicMediaRequest(media_id=media.id))
    catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=media.id))
    gone = _error(catalogue.stub.ResolvePublicMedia, catalogue_pb2.ResolvePublicMediaRequest(media_id=media.id))

    assert resolved.id == media.id
    assert resolved.metadata.mime_type == "video/mp4"
    assert gone.code == grpc.StatusCode.NOT_FOUND


def test_filter_referenced_blob_keys_counts_live_only(catalogue):
    seller_id = catalogue.new_seller().seller.id
    live = catalogue.upload(seller_id, make_jpeg(seed=1)).media
    deleted = catalogue.upload(seller_id, make_jpeg(seed=2)).media
    catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=deleted.id))
    orphan = f"{seller_id}/{'0' * 64}.jpg"

    response = catalogue.stub.FilterReferencedBlobKeys(
        catalogue_pb2.FilterReferencedBlobKeysRequest(
            keys=[orphan, live.preview_blob_key, deleted.blob_key, live.blob_key]
        )
    )

    assert list(response.referenced_keys) == [live.preview_blob_key, live.blob_key]
