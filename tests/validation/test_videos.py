"""Video inspection: MP4 brands, display aspect with rotation and pixel aspect, measured duration, broken files."""

from __future__ import annotations

import dataclasses
import io
from fractions import Fraction

import pytest
from PIL import Image

from services.validation.policy import POLICY_V1
from services.validation.verdict import Kind
from tests.validation import media_factory as media

VIDEO_RULES = POLICY_V1.video


@pytest.fixture(scope="module")
def landscape_mp4() -> bytes:
    return media.mp4(640, 360, frames=10, fps=25)


def test_mp4_accepted_with_metadata(judge, landscape_mp4):
    verdict = judge(landscape_mp4, name="clip.mp4")

    assert verdict.accepted, verdict.violations
    assert verdict.kind is Kind.VIDEO
    metadata = verdict.metadata
    assert metadata.format == "mp4"
    assert metadata.mime_type == "video/mp4"
    assert metadata.byte_size == len(landscape_mp4)
    assert (metadata.width, metadata.height) == (640, 360)
    assert metadata.duration_ms == 400
    assert metadata.frame_rate == 25.0
    assert metadata.video_codec == "h264"
    assert metadata.audio_codec == ""
    assert metadata.has_audio is False
    assert metadata.rotation_degrees == 0


def test_poster_preview_is_webp(judge, landscape_mp4):
    verdict = judge(landscape_mp4)

    preview = Image.open(io.BytesIO(verdict.preview_webp))
    assert preview.format == "WEBP"
    assert preview.size == (320, 180)


def test_audio_track_reported(judge):
    verdict = judge(media.mp4(640, 360, frames=10, audio_seconds=0.4))

    assert verdict.accepted, verdict.violations
    assert verdict.metadata.has_audio is True
    assert verdict.metadata.audio_codec == "aac"


def test_phone_rotation_makes_portrait(judge):
    data = media.mp4(1920, 1080, frames=2, rotation_clockwise=90)

    verdict = judge(data)

    assert verdict.accepted, verdict.violations
    assert verdict.metadata.rotation_degrees == 90
    assert (verdict.metadata.width, verdict.metadata.height) == (1080, 1920)
    preview = Image.open(io.BytesIO(verdict.preview_webp))
    assert preview.size == (180, 320)


def test_rotation_can_break_aspect_ratio(judge):
    data = media.mp4(1280, 480, frames=2, rotation_clockwise=270)

    verdict = judge(data)

    assert verdict.codes == ["aspect_ratio_out_of_range"]
    assert verdict.metadata.rotation_degrees == 270
    assert (verdict.metadata.width, verdict.metadata.height) == (480, 1280)


@pytest.mark.parametrize(
    ("width", "height", "accepted"),
    [(360, 640, True), (640, 360, True), (358, 640, False), (640, 358, False), (640, 640, True)],
)
def test_aspect_ratio_bounds_are_exact(judge, width, height, accepted):
    verdict = judge(media.mp4(width, height, frames=2))

    assert verdict.accepted is accepted, verdict.violations
    if not accepted:
        assert verdict.codes == ["aspect_ratio_out_of_range"]
        assert verdict.violations[0].unit == "ratio"
        assert verdict.violations[0].limit == [0.5625, 1.777778]


def test_pixel_aspect_ratio_widens_display(judge):
    # 640x360 frames with 2:1 pixels are shown 1280x360, wider than 16:9.
    data = media.mp4(640, 360, frames=2, sample_aspect_ratio=Fraction(2, 1))

    verdict = judge(data)

    assert verdict.codes == ["aspect_ratio_out_of_range"]
    assert (verdict.metadata.width, verdict.metadata.height) == (1280, 360)


def test_pixel_aspect_ratio_can_bring_into_range(judge):
    # 720x480 frames with 8:9 pixels are shown at 640x480 (4:3).
    data = media.mp4(720, 480, frames=2, sample_aspect_ratio=Fraction(8, 9))

    verdict = judge(data)

    assert verdict.accepted, verdict.violations
    assert (verdict.metadata.width, verdict.metadata.height) == (640, 480)


def test_duration_just_under_limit_accepted(judge):
    # Frames at 0 s, 30 s and 59.92 s, each 1/25 s long: the last ends at 59.96 s.
    verdict = judge(media.mp4(360, 640, fps=25, pts=[0, 750, 1498]))

    assert verdict.accepted, verdict.violations
    assert verdict.metadata.duration_ms == 59_960


def test_duration_of_60_seconds_rejected(judge):
    verdict = judge(media.mp4(360, 640, fps=25, pts=[0, 750, 1499]))

    assert verdict.codes == ["video_too_long"]
    violation = verdict.violations[0]
    assert violation.measured == 60_000
    assert violation.limit == 60_000
    assert violation.unit == "ms"
    assert violation.message == "The video is 60 s long; it must be shorter than 60 s. Trim it and upload again."


def test_duration_measured_not_read_from_header(judge):
    data = media.mp4(640, 360, fps=25, pts=[0, 1000, 1799])
    data = media.set_movie_header_duration(data, 1)

    verdict = judge(data)

    assert verdict.codes == ["video_too_long"]
    assert verdict.metadata.duration_ms == 72_000
    assert "72 s long" in verdict.violations[0].message


def test_reordered_frames_duration_exact(judge):
    # The medium preset uses B-frames, so the last packet in decoding order is not the last shown.
    data = media.mp4(640, 360, frames=60, fps=30, preset="medium", noise="blocks")

    verdict = judge(data)

    assert verdict.accepted, verdict.violations
    assert verdict.metadata.duration_ms == 2000


def test_long_video_duration_exact(judge):
    # 25 s at 25 frames per second: the last samples are far from the start of the file.
    verdict = judge(media.mp4(640, 360, frames=625, fps=25, audio_seconds=25))

    assert verdict.accepted, verdict.violations
    assert verdict.metadata.duration_ms >= 25_000
    assert verdict.metadata.duration_ms < 25_100


def test_audio_longer_than_video_counts(judge):
    verdict = judge(media.mp4(640, 360, frames=5, audio_seconds=61))

    assert verdict.codes == ["video_too_long"]
    assert verdict.metadata.duration_ms >= 61_000


def test_fragmented_mp4_has_real_duration(judge):
    data = media.mp4(640, 360, frames=50, fps=25, movflags="frag_keyframe+empty_moov")

    verdict = judge(data)

    assert b"moof" in data
    assert verdict.accepted, verdict.violations
    assert verdict.metadata.duration_ms == 2000


def test_index_at_start_or_end_gives_same_result(judge):
    at_end = media.mp4(640, 360, frames=20)
    at_start = media.mp4(640, 360, frames=20, movflags="faststart")

    end_verdict = judge(at_end)
    start_verdict = judge(at_start)

    assert [box for box, _, _ in media.top_level_boxes(at_start)][1] == b"moov"
    assert [box for box, _, _ in media.top_level_boxes(at_end)][-1] == b"moov"
    assert end_verdict.accepted
    assert start_verdict.accepted
    assert end_verdict.metadata == dataclasses.replace(start_verdict.metadata, byte_size=len(at_end))


def test_missing_index_rejected(judge, landscape_mp4):
    verdict = judge(media.rename_box(landscape_mp4, b"moov", b"free"))

    assert verdict.codes == ["corrupt_file"]
    assert "moov" in verdict.violations[0].message


def test_cut_media_data_rejected(judge):
    data = media.mp4(640, 360, frames=30, noise=True, movflags="faststart")

    verdict = judge(media.cut(data, 0.7))

    assert verdict.codes == ["corrupt_file"]
    assert "cut short" in verdict.violations[0].message


def test_cut_file_without_index_rejected(judge, landscape_mp4):
    verdict = judge(media.cut(landscape_mp4, 0.5))

    assert verdict.codes == ["corrupt_file"]


def test_cut_media_data_with_open_ended_box_rejected(judge):
    # An mdat box of size 0 runs to the end of the file, so only the index shows what is missing.
    data = bytearray(media.mp4(640, 360, frames=30, noise=True, movflags="faststart"))
    for box_type, offset, _size in media.top_level_boxes(bytes(data)):
        if box_type == b"mdat":
            data[offset : offset + 4] = bytes(4)

    verdict = judge(media.cut(bytes(data), 0.7))

    assert verdict.codes == ["corrupt_file"]
    assert "past the end of the file" in verdict.violations[0].message


def test_audio_only_mp4_rejected(judge):
    verdict = judge(media.audio_only_mp4(2.0), name="song.mp4")

    assert verdict.kind is Kind.VIDEO
    assert verdict.codes == ["no_video_track"]


def test_quicktime_renamed_mp4_rejected(judge):
    verdict = judge(media.mp4(640, 360, frames=2, container_format="mov"), name="clip.mp4")

    assert verdict.codes == ["unsupported_format"]
    assert "QuickTime MOV" in verdict.violations[0].message
    assert verdict.violations[0].measured == "mov"
    assert verdict.violations[0].limit == ["mp4"]


def test_quicktime_brand_in_mp4_layout_rejected(judge, landscape_mp4):
    verdict = judge(media.set_major_brand(landscape_mp4, b"qt  "))

    assert verdict.codes == ["unsupported_format"]
    assert "QuickTime" in verdict.violations[0].message


@pytest.mark.parametrize("brand", [b"isom", b"iso2", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V "])
def test_mp4_family_brands_accepted(judge, landscape_mp4, brand):
    verdict = judge(media.set_major_brand(landscape_mp4, brand))

    assert verdict.accepted, verdict.violations


def test_unknown_brand_rejected(judge, landscape_mp4):
    data = media.set_major_brand(landscape_mp4, b"abcd", [b"abcd", b"efgh", b"ijkl", b"mnop"])

    verdict = judge(data)

    assert verdict.codes == ["unsupported_format"]
    assert "abcd" in verdict.violations[0].message


def test_size_limit_is_inclusive(judge, landscape_mp4):
    exactly = judge(media.padded_mp4(landscape_mp4, VIDEO_RULES.max_bytes))
    one_more = judge(media.padded_mp4(landscape_mp4, VIDEO_RULES.max_bytes + 1))

    assert exactly.accepted, exactly.violations
    assert one_more.codes == ["file_too_large"]
    assert one_more.violations[0].measured == 10_485_761
    assert one_more.violations[0].limit == 10_485_760


def test_every_failed_rule_reported(judge):
    data = media.padded_mp4(media.mp4(1000, 300, fps=25, pts=[0, 1600]), VIDEO_RULES.max_bytes + 100)

    verdict = judge(data)

    assert verdict.codes == ["file_too_large", "video_too_long", "aspect_ratio_out_of_range"]


def test_video_in_image_folder_is_wrong_kind(judge, landscape_mp4):
    verdict = judge(landscape_mp4, expected_kind=Kind.IMAGE)

    assert verdict.codes == ["wrong_kind"]
    assert verdict.violations[0].measured == "video"
