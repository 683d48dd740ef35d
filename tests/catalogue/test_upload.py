"""The upload flow: accepted, rejected, duplicate, idempotent, wrong kind, too large, over quota."""

import threading
import time

import grpc
import psycopg
import pytest
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2

from services.runtime.errors import ErrorDetails
from tests.catalogue.fakes import IMAGE_MAX_BYTES, fake_mp4
from tests.support.media import make_jpeg, make_png


def _upload_error(catalogue, *args, **kwargs) -> ErrorDetails:
    with pytest.raises(grpc.RpcError) as caught:
        catalogue.upload(*args, **kwargs)
    return ErrorDetails.from_rpc_error(caught.value)


def _capacity(catalogue, seller_id):
    return catalogue.stub.GetCapacity(catalogue_pb2.GetCapacityRequest(seller_id=seller_id))


def _media_rows(catalogue):
    with psycopg.connect(catalogue.database_url) as connection:
        return connection.execute("SELECT count(*) FROM catalogue.media").fetchone()[0]


def test_upload_accepted_image(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(800, 600)

    response = catalogue.upload(seller_id, data, "red sneaker.JPG")

    media = response.media
    assert not response.duplicate
    assert media.kind == common_pb2.MEDIA_KIND_IMAGE
    assert media.name == "red sneaker.JPG"
    assert media.file_name == "red-sneaker.jpg"
    assert media.url == f"http://media.test/media/{media.id}/red-sneaker.jpg"
    assert media.preview_url == f"http://media.test/media/{media.id}/preview.webp"
    assert (media.metadata.width, media.metadata.height) == (800, 600)
    assert media.metadata.byte_size == len(data)
    assert media.blob_key == f"{seller_id}/{media.sha256}.jpg"
    assert media.preview_blob_key.endswith(".webp")
    assert catalogue.storage.blobs[media.blob_key] == data
    assert media.preview_blob_key in catalogue.storage.blobs
    assert media.folder_id == catalogue.folders(seller_id)["Images"].id
    assert _capacity(catalogue, seller_id).used_bytes == len(data)


def test_upload_video_without_folder_goes_to_videos(catalogue):
    seller_id = catalogue.new_seller().seller.id

    response = catalogue.upload(seller_id, fake_mp4(), "clip.mp4")

    assert response.media.kind == common_pb2.MEDIA_KIND_VIDEO
    assert response.media.folder_id == catalogue.folders(seller_id)["Videos"].id


def test_upload_uses_display_name_and_cleans_path(catalogue):
    seller_id = catalogue.new_seller().seller.id

    from_path = catalogue.upload(seller_id, make_png(seed=1), "C:\\photos\\..\\boot\u202e.png")
    named = catalogue.upload(seller_id, make_png(seed=2), "x.png", name="  Front view  ")
    nameless = catalogue.upload(seller_id, make_png(seed=3), "")

    assert from_path.media.name == "boot.png"
    assert named.media.name == "Front view"
    assert named.media.file_name == "Front-view.png"
    assert nameless.media.name == "untitled.png"


def test_upload_rejected_lists_every_violation(catalogue):
    seller_id = catalogue.new_seller().seller.id
    puts_before = catalogue.storage.put_calls

    error = _upload_error(catalogue, seller_id, make_jpeg(200, 100), "tiny.jpg")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "upload_rejected"
    assert [violation.code for violation in error.violations] == ["image_too_small", "image_too_small"]
    assert "tiny.jpg" in error.message
    assert "(2 rules broken)" in error.message
    assert error.policy_version == "v1"
    assert catalogue.storage.put_calls == puts_before
    assert _media_rows(catalogue) == 0
    assert _capacity(catalogue, seller_id).used_bytes == 0


def test_upload_rejects_unknown_format(catalogue):
    seller_id = catalogue.new_seller().seller.id

    error = _upload_error(catalogue, seller_id, b"GIF89a" + bytes(100), "anim.gif")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [violation.code for violation in error.violations] == ["unsupported_format"]


def test_upload_same_bytes_is_duplicate(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(seed=7)
    first = catalogue.upload(seller_id, data, "a.jpg")
    puts_before = catalogue.storage.put_calls

    second = catalogue.upload(seller_id, data, "b.jpg")

    assert second.duplicate
    assert second.media.id == first.media.id
    assert second.media.name == "a.jpg"
    assert catalogue.storage.put_calls == puts_before
    assert _capacity(catalogue, seller_id).used_bytes == len(data)


def test_upload_after_delete_is_new_item(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(seed=8)
    first = catalogue.upload(seller_id, data)
    catalogue.stub.DeleteMedia(catalogue_pb2.DeleteMediaRequest(seller_id=seller_id, media_id=first.media.id))

    again = catalogue.upload(seller_id, data)

    assert not again.duplicate
    assert again.media.id != first.media.id
    assert _capacity(catalogue, seller_id).used_bytes == len(data)


def test_upload_retry_with_key_returns_first_result(catalogue):
    seller_id = catalogue.new_seller().seller.id
    first = catalogue.upload(seller_id, make_jpeg(seed=1), "first.jpg", idempotency_key="key-1")
    inspections = catalogue.validation.inspect_calls

    retry = catalogue.upload(seller_id, make_jpeg(seed=2), "second.jpg", idempotency_key="key-1")

    assert retry.media.id == first.media.id
    assert not retry.duplicate
    assert catalogue.validation.inspect_calls == inspections
    assert _media_rows(catalogue) == 1


def test_upload_retry_with_key_returns_first_rejection(catalogue):
    seller_id = catalogue.new_seller().seller.id
    first = _upload_error(catalogue, seller_id, make_jpeg(100, 100), "small.jpg", idempotency_key="key-2")

    retry = _upload_error(catalogue, seller_id, make_jpeg(100, 100), "small.jpg", idempotency_key="key-2")

    assert retry.code == first.code == grpc.StatusCode.INVALID_ARGUMENT
    assert retry.reason == "upload_rejected"
    assert [v.code for v in retry.violations] == [v.code for v in first.violations]
    assert catalogue.validation.inspect_calls == 1


def test_idempotency_keys_are_per_seller(catalogue):
    ann = catalogue.new_seller("Ann").seller.id
    bob = catalogue.new_seller("Bob").seller.id
    ann_upload = catalogue.upload(ann, make_jpeg(seed=1), idempotency_key="same")

    bob_upload = catalogue.upload(bob, make_jpeg(seed=2), idempotency_key="same")

    assert bob_upload.media.id != ann_upload.media.id
    assert bob_upload.media.seller_id == bob


def test_upload_rejects_bad_idempotency_key(catalogue):
    seller_id = catalogue.new_seller().seller.id

    error = _upload_error(catalogue, seller_id, make_jpeg(), idempotency_key="naïve key")

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.field_violations[0][0] == "idempotency_key"


def test_upload_video_into_image_folder_is_wrong_kind(catalogue):
    seller_id = catalogue.new_seller().seller.id
    folder = catalogue.stub.CreateFolder(
        catalogue_pb2.CreateFolderRequest(seller_id=seller_id, name="Shoe photos", kind=common_pb2.MEDIA_KIND_IMAGE)
    )

    error = _upload_error(catalogue, seller_id, fake_mp4(), "clip.mp4", folder_id=folder.id)

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [violation.code for violation in error.violations] == ["wrong_kind"]
    assert "Shoe photos" in error.violations[0].message
    assert _media_rows(catalogue) == 0


def test_upload_too_large_is_cut_off(catalogue):
    seller_id = catalogue.new_seller().seller.id
    images = catalogue.folders(seller_id)["Images"]
    chunk = 256 * 1024
    total_chunks = 48  # 12 MiB, past both the image and the video limit
    sent = []
    header = catalogue_pb2.UploadHeader(seller_id=seller_id, folder_id=images.id, file_name="huge.jpg")

    def requests():
        yield catalogue_pb2.UploadMediaRequest(header=header)
        for index in range(total_chunks):
            sent.append(index)
            yield catalogue_pb2.UploadMediaRequest(chunk=b"\xff\xd8\xff" + bytes(chunk - 3))

    with pytest.raises(grpc.RpcError) as caught:
        catalogue.stub.UploadMedia(requests(), timeout=30)
    error = ErrorDetails.from_rpc_error(caught.value)

    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.reason == "file_too_large"
    assert [violation.code for violation in error.violations] == ["file_too_large"]
    assert error.violations[0].limit.number_value == IMAGE_MAX_BYTES
    assert error.violations[0].measured.number_value > IMAGE_MAX_BYTES
    assert len(sent) < total_chunks
    assert catalogue.validation.inspect_calls == 0
    assert catalogue.storage.put_calls == 0


def test_upload_past_quota_is_capacity_exceeded(catalogue):
    first, second = make_jpeg(seed=1), make_jpeg(seed=2)
    seller_id = catalogue.new_seller(quota_bytes=len(first) + len(second) - 1).seller.id
    catalogue.upload(seller_id, first)

    error = _upload_error(catalogue, seller_id, second)

    assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.reason == "capacity_exceeded"
    assert error.violations[0].code == "capacity_exceeded"
    assert error.violations[0].measured.number_value == len(first) + len(second)
    assert error.violations[0].limit.number_value == len(first) + len(second) - 1
    assert _capacity(catalogue, seller_id).used_bytes == len(first)


def test_upload_stream_without_header_is_invalid(catalogue):
    with pytest.raises(grpc.RpcError) as caught:
        catalogue.stub.UploadMedia(iter([catalogue_pb2.UploadMediaRequest(chunk=b"abc")]), timeout=10)

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_upload_for_unknown_folder_is_not_found(catalogue):
    seller_id = catalogue.new_seller().seller.id

    error = _upload_error(catalogue, seller_id, make_jpeg(), folder_id="00000000-0000-4000-8000-000000000000")

    assert error.code == grpc.StatusCode.NOT_FOUND


def test_upload_url_percent_encodes_unicode_name(catalogue):
    seller_id = catalogue.new_seller().seller.id

    media = catalogue.upload(seller_id, make_jpeg(seed=11), "Größe 42 #1.jpg").media

    assert media.name == "Größe 42 #1.jpg"
    assert media.file_name == "Größe-42-1.jpg"
    assert media.url == f"http://media.test/media/{media.id}/Gr%C3%B6%C3%9Fe-42-1.jpg"


def test_upload_for_unknown_seller_is_not_found(catalogue):
    error = _upload_error(catalogue, "00000000-0000-4000-8000-000000000000", make_jpeg())

    assert error.code == grpc.StatusCode.NOT_FOUND
    assert catalogue.validation.inspect_calls == 0


def test_upload_cancelled_mid_stream_stores_nothing(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(800, 600)
    header = catalogue_pb2.UploadHeader(seller_id=seller_id, file_name="cut.jpg")
    first_chunk_sent = threading.Event()
    release = threading.Event()

    def requests():
        yield catalogue_pb2.UploadMediaRequest(header=header)
        yield catalogue_pb2.UploadMediaRequest(chunk=data[: len(data) // 2])
        first_chunk_sent.set()
        release.wait(10)

    call = catalogue.stub.UploadMedia.future(requests(), timeout=30)
    first_chunk_sent.wait(10)
    time.sleep(0.5)
    call.cancel()
    release.set()
    time.sleep(1.0)

    listed = catalogue.stub.SearchMedia(catalogue_pb2.SearchMediaRequest(seller_id=seller_id))

    assert call.cancelled()
    assert list(listed.items) == []
    assert _capacity(catalogue, seller_id).used_bytes == 0


def _send(catalogue, messages) -> ErrorDetails:
    with pytest.raises(grpc.RpcError) as caught:
        catalogue.stub.UploadMedia(iter(messages), timeout=30)
    return ErrorDetails.from_rpc_error(caught.value)


def _header(seller_id: str) -> catalogue_pb2.UploadMediaRequest:
    return catalogue_pb2.UploadMediaRequest(header=catalogue_pb2.UploadHeader(seller_id=seller_id, file_name="a.jpg"))


def _end(byte_size: int) -> catalogue_pb2.UploadMediaRequest:
    return catalogue_pb2.UploadMediaRequest(end=catalogue_pb2.UploadEnd(byte_size=byte_size))


def test_stream_without_end_stores_nothing(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(800, 600)

    error = _send(catalogue, [_header(seller_id), catalogue_pb2.UploadMediaRequest(chunk=data)])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "upload_incomplete"
    assert f"after {len(data)} bytes" in error.message
    assert catalogue.validation.inspect_calls == 0
    assert _capacity(catalogue, seller_id).used_bytes == 0


def test_end_with_other_size_stores_nothing(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(800, 600)

    error = _send(catalogue, [_header(seller_id), catalogue_pb2.UploadMediaRequest(chunk=data), _end(len(data) + 1)])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "upload_size_mismatch"
    assert str(len(data)) in error.message
    assert _capacity(catalogue, seller_id).used_bytes == 0


def test_chunk_after_end_stores_nothing(catalogue):
    seller_id = catalogue.new_seller().seller.id
    data = make_jpeg(800, 600)
    chunk = catalogue_pb2.UploadMediaRequest(chunk=data)

    error = _send(catalogue, [_header(seller_id), chunk, _end(len(data)), chunk])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "message_after_end"
    assert _capacity(catalogue, seller_id).used_bytes == 0


def test_empty_file_with_end_rejected(catalogue):
    seller_id = catalogue.new_seller().seller.id

    error = _send(catalogue, [_header(seller_id), _end(0)])

    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "upload_rejected"
