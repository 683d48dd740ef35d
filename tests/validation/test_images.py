"""Image inspection: formats by content, sizes, dimensions, decompression bombs, broken files, previews."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from services.validation.policy import POLICY_V1
from tests.validation import media_factory as media

IMAGE_RULES = POLICY_V1.image


def preview_of(verdict) -> Image.Image:
    preview = Image.open(io.BytesIO(verdict.preview_webp))
    preview.load()
    return preview


def test_jpeg_accepted_with_metadata(judge):
    data = media.jpeg(640, 480)

    verdict = judge(data, name="photo.jpg")

    assert verdict.accepted
    assert verdict.kind.value == "image"
    assert verdict.metadata.format == "jpeg"
    assert verdict.metadata.mime_type == "image/jpeg"
    assert verdict.metadata.byte_size == len(data)
    assert (verdict.metadata.width, verdict.metadata.height) == (640, 480)
    assert verdict.policy_version == "v1"
    assert len(verdict.sha256) == 64


def test_png_accepted_with_preview(judge):
    verdict = judge(media.png(1200, 600), name="photo.PNG")

    assert verdict.accepted
    assert verdict.metadata.format == "png"
    preview = preview_of(verdict)
    assert preview.format == "WEBP"
    assert preview.size == (320, 160)


def test_smallest_accepted_image_is_300_square(judge):
    verdict = judge(media.jpeg(300, 300))

    assert verdict.accepted


@pytest.mark.parametrize(
    ("width", "height", "sides"),
    [(299, 300, ["wide"]), (300, 299, ["high"]), (299, 299, ["wide", "high"]), (1000, 10, ["high"])],
)
def test_each_side_checked_separately(judge, width, height, sides):
    verdict = judge(media.png(width, height))

    assert verdict.codes == ["image_too_small"] * len(sides)
    for violation, side in zip(verdict.violations, sides, strict=True):
        assert f"px {side}" in violation.message
        assert violation.limit == 300
        assert violation.unit == "px"
    assert verdict.preview_webp == b""


def test_longer_side_of_10000_accepted(judge):
    verdict = judge(media.png(10_000, 300, mode="L"))

    assert verdict.accepted
    assert preview_of(verdict).size == (320, 10)


def test_longer_side_over_10000_rejected(judge):
    verdict = judge(media.png(10_001, 300, mode="L"))

    assert verdict.codes == ["image_too_large"]
    assert verdict.violations[0].measured == 10_001
    assert verdict.violations[0].limit == 10_000


@pytest.mark.parametrize("builder", [media.png_declaring, media.jpeg_declaring])
def test_decompression_bomb_rejected_from_header(judge, builder):
    data = builder(60_000, 60_000)

    verdict = judge(data, name="bomb.png")

    assert len(data) < 100_000
    assert verdict.codes == ["image_too_large"]
    assert (verdict.metadata.width, verdict.metadata.height) == (60_000, 60_000)
    assert "60000x60000" in verdict.violations[0].message


def test_size_limit_is_inclusive(judge):
    exactly = media.padded(media.png(400, 400), IMAGE_RULES.max_bytes)
    one_more = media.padded(media.png(400, 400), IMAGE_RULES.max_bytes + 1)

    accepted = judge(exactly)
    rejected = judge(one_more)

    assert accepted.accepted
    assert rejected.codes == ["file_too_large"]
    assert rejected.violations[0].measured == IMAGE_RULES.max_bytes + 1
    assert rejected.violations[0].limit == 5_242_880
    assert rejected.violations[0].unit == "bytes"


def test_every_failed_rule_reported(judge):
    data = media.padded(media.png(200, 100), IMAGE_RULES.max_bytes + 10)

    verdict = judge(data)

    assert verdict.codes == ["file_too_large", "image_too_small", "image_too_small"]


@pytest.mark.parametrize(
    ("orientation", "expected"), [(1, (600, 400)), (3, (600, 400)), (5, (400, 600)), (6, (400, 600)), (8, (400, 600))]
)
def test_exif_orientation_sets_displayed_size(judge, orientation, expected):
    verdict = judge(media.jpeg(600, 400, orientation=orientation))

    assert verdict.accepted
    assert (verdict.metadata.width, verdict.metadata.height) == expected
    preview = preview_of(verdict)
    assert (preview.width > preview.height) == (expected[0] > expected[1])


def test_orientation_does_not_hide_small_side(judge):
    verdict = judge(media.jpeg(1000, 299, orientation=6))

    assert verdict.codes == ["image_too_small"]
    assert (verdict.metadata.width, verdict.metadata.height) == (299, 1000)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(media.jpeg(500, 400, mode="CMYK"), id="cmyk-jpeg"),
        pytest.param(media.jpeg(500, 400, mode="L"), id="grey-jpeg"),
        pytest.param(media.jpeg(500, 400, progressive=True), id="progressive-jpeg"),
        pytest.param(media.png(500, 400, mode="I;16"), id="16-bit-png"),
        pytest.param(media.png(500, 400, mode="L"), id="grey-png"),
        pytest.param(media.png(500, 400, mode="LA"), id="grey-alpha-png"),
        pytest.param(media.png(500, 400, mode="RGBA"), id="rgba-png"),
        pytest.param(media.png(500, 400, mode="1"), id="bilevel-png"),
        pytest.param(media.palette_png_with_transparency(500, 400), id="palette-transparent-png"),
    ],
)
def test_unusual_modes_accepted_with_preview(judge, data):
    verdict = judge(data)

    assert verdict.accepted, verdict.violations
    preview = preview_of(verdict)
    assert preview.size == (320, 256)
    assert preview.mode in ("RGB", "RGBA")


def test_sixteen_bit_preview_keeps_tones(judge):
    verdict = judge(media.png(500, 400, mode="I;16"))

    preview = preview_of(verdict).convert("L")
    assert preview.getextrema()[0] < 20
    assert preview.getextrema()[1] > 230


@pytest.mark.parametrize(
    ("format_name", "options", "word"),
    [
        ("BMP", {}, "BMP"),
        ("GIF", {}, "GIF"),
        ("GIF", {"save_all": True}, "GIF"),
        ("WEBP", {}, "WebP"),
        ("TIFF", {}, "TIFF"),
    ],
)
def test_other_image_format_named_jpg_rejected(judge, format_name, options, word):
    verdict = judge(media.pillow_file(format_name, **options), name="photo.jpg")

    assert verdict.codes == ["unsupported_format"]
    assert word in verdict.violations[0].message
    assert verdict.violations[0].measured == format_name.lower()
    assert verdict.violations[0].limit == ["jpeg", "png"]
    assert verdict.violations[0].unit == "format"


def test_heic_named_jpg_rejected(judge):
    verdict = judge(media.heic_like(), name="IMG_0001.jpg")

    assert verdict.codes == ["unsupported_format"]
    assert "HEIC" in verdict.violations[0].message


def test_animated_png_rejected_with_own_code(judge):
    verdict = judge(media.apng(400, 400, frames=3))

    assert verdict.codes == ["animated_image"]
    assert verdict.violations[0].measured == 3


def test_mpo_judged_by_first_frame(judge):
    data = media.mpo(640, 480)

    verdict = judge(data, name="camera.jpg")

    assert Image.open(io.BytesIO(data)).format == "MPO"
    assert verdict.accepted
    assert verdict.metadata.format == "jpeg"
    assert (verdict.metadata.width, verdict.metadata.height) == (640, 480)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(media.cut(media.jpeg(800, 600, seed=3), 0.5), id="jpeg-cut-in-half"),
        pytest.param(media.cut(media.png(800, 600), 0.5), id="png-cut-in-half"),
        pytest.param(media.corrupt_png_pixels(media.png(800, 600)), id="png-damaged-pixels"),
        pytest.param(media.png_with_huge_text(), id="png-text-bomb"),
        pytest.param(media.png_with_huge_icc_profile(), id="png-icc-bomb"),
        pytest.param(media.jpeg(400, 400)[:200], id="jpeg-header-only"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png-signature-only"),
    ],
)
def test_broken_image_rejected_as_corrupt(judge, data):
    verdict = judge(data)

    assert "corrupt_file" in verdict.codes
    assert verdict.preview_webp == b""
    assert verdict.violations[-1].message.endswith("upload the new copy.")


def test_empty_file_rejected(judge):
    verdict = judge(b"", name="photo.jpg")

    assert verdict.codes == ["empty_file"]
    assert verdict.kind.value == "unknown"


@pytest.mark.parametrize(
    ("data", "word"),
    [(b"%PDF-1.7 not an image", "PDF"), (b"hello world, plain text", "not an image or a video"), (bytes(1000), "not an image")],
)
def test_non_media_bytes_rejected(judge, data, word):
    verdict = judge(data, name="photo.jpg")

    assert verdict.codes == ["unsupported_format"]
    assert word in verdict.violations[0].message


def test_image_in_video_folder_is_wrong_kind(judge):
    from services.validation.verdict import Kind

    verdict = judge(media.jpeg(400, 400), expected_kind=Kind.VIDEO)

    assert verdict.codes == ["wrong_kind"]
    assert verdict.violations[0].measured == "image"
    assert verdict.violations[0].limit == "video"
