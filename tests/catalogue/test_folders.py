"""Folders: create, rename, delete and list with item counts."""

import grpc
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.runtime.errors import ErrorDetails
from tests.support.media import make_jpeg

IMAGE = common_pb2.MEDIA_KIND_IMAGE
VIDEO = common_pb2.MEDIA_KIND_VIDEO


def _error(call, request):
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return ErrorDetails.from_rpc_error(caught.value)


def _create(catalogue, seller_id, name, kind=IMAGE):
    return catalogue.stub.CreateFolder(catalogue_pb2.CreateFolderRequest(seller_id=seller_id, name=name, kind=kind))


def test_create_folder_trims_name(catalogue):
    seller_id = catalogue.new_seller().seller.id

    folder = _create(catalogue, seller_id, "  Summer sale  ")

    assert folder.name == "Summer sale"
    assert folder.kind == IMAGE
    assert not folder.is_default


def test_duplicate_folder_name_ignores_case_and_spaces(catalogue):
    seller_id = catalogue.new_seller().seller.id
    _create(catalogue, seller_id, "Shoes")

    error = _error(
        catalogue.stub.CreateFolder, catalogue_pb2.CreateFolderRequest(seller_id=seller_id, name=" shoes ", kind=IMAGE)
    )
    other_kind = _create(catalogue, seller_id, "shoes", VIDEO)

    assert error.code == grpc.StatusCode.ALREADY_EXISTS
    assert error.field_violations[0][0] == "name"
    assert error.message.startswith('You already have an image folder named "shoes"')
    assert other_kind.name == "shoes"


@pytest.mark.parametrize("name", ["", "   ", "x" * 300, "line\nbreak"])
def test_create_folder_rejects_bad_name(catalogue, name):
    seller_id = catalogue.new_seller().seller.id

    error = _error(
        catalogue.stub.CreateFolder, catalogue_pb2.CreateFolderRequest(seller_id=seller_id, name=name, kind=IMAGE)
    )

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "name"


def test_create_folder_needs_kind(catalogue):
    seller_id = catalogue.new_seller().seller.id

    error = _error(catalogue.stub.CreateFolder, catalogue_pb2.CreateFolderRequest(seller_id=seller_id, name="x"))

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "kind"


def test_rename_folder(catalogue):
    seller_id = catalogue.new_seller().seller.id
    folder = _create(catalogue, seller_id, "Old")
    _create(catalogue, seller_id, "Taken")

    renamed = catalogue.stub.RenameFolder(
        catalogue_pb2.RenameFolderRequest(seller_id=seller_id, folder_id=folder.id, name="New")
    )
    clash = _error(
        catalogue.stub.RenameFolder,
        catalogue_pb2.RenameFolderRequest(seller_id=seller_id, folder_id=folder.id, name="TAKEN"),
    )

    assert renamed.name == "New"
    assert clash.code == grpc.StatusCode.ALREADY_EXISTS


def test_rename_default_folder_is_allowed(catalogue):
    seller_id = catalogue.new_seller().seller.id
    images = catalogue.folders(seller_id)["Images"]

    renamed = catalogue.stub.RenameFolder(
        catalogue_pb2.RenameFolderRequest(seller_id=seller_id, folder_id=images.id, name="Photos")
    )

    assert renamed.is_default


def test_delete_folder_refuses_non_empty_and_default(catalogue):
    seller_id = catalogue.new_seller().seller.id
    folder = _create(catalogue, seller_id, "Shoes")
    uploaded = catalogue.upload(seller_id, make_jpeg(), folder_id=folder.id)
    images = catalogue.folders(seller_id)["Images"]

    not_empty = _error(
        catalogue.stub.DeleteFolder, catalogue_pb2.DeleteFolderRequest(seller_id=seller_id, folder_id=folder.id)
    )
    default = _error(
        catalogue.stub.DeleteFolder, catalogue_pb2.DeleteFolderRequest(seller_id=seller_id, folder_id=images.id)
    )

    assert not_empty.code == grpc.StatusCode.FAILED_PRECONDITION
    assert not_empty.reason == "folder_not_empty"
    assert default.code == grpc.StatusCode.FAILED_PRECONDITION
    assert default.reason == "default_folder"

    catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=uploaded.media.id))
    catalogue.stub.DeleteFolder(catalogue_pb2.DeleteFolderRequest(seller_id=seller_id, folder_id=folder.id))

    assert "Shoes" not in catalogue.folders(seller_id)


def test_list_folders_orders_and_counts(catalogue):
    seller_id = catalogue.new_seller().seller.id
    zebra = _create(catalogue, seller_id, "zebra")
    _create(catalogue, seller_id, "Apple")
    _create(catalogue, seller_id, "clips", VIDEO)
    catalogue.upload(seller_id, make_jpeg(seed=1), folder_id=zebra.id)
    catalogue.upload(seller_id, make_jpeg(seed=2), folder_id=zebra.id)
    catalogue.upload(seller_id, make_jpeg(seed=3))

    listed = catalogue.stub.ListFolders(catalogue_pb2.ListFoldersRequest(seller_id=seller_id)).folders
    videos = catalogue.stub.ListFolders(catalogue_pb2.ListFoldersRequest(seller_id=seller_id, kind=VIDEO)).folders

    assert [folder.name for folder in listed] == ["Images", "Videos", "Apple", "zebra", "clips"]
    assert {folder.name: folder.item_count for folder in listed} == {
        "Images": 1, "Videos": 0, "Apple": 0, "zebra": 2, "clips": 0
    }
    assert [folder.name for folder in videos] == ["Videos", "clips"]
