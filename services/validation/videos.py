"""Video inspection: MediaInfo reads the container and track headers, PyAV measures what headers can misstate.

The duration is the latest sample end (timestamp plus duration) over every
track, read from demuxed packets without decoding, so an edited header or a
fragmented file with a zero header duration is measured as it plays. A file
with a complete index is checked to hold every sample it lists, and only the
packets of its last seconds are demuxed; a fragmented file is demuxed in full.
One frame is decoded for the poster, which also shows that the video track
decodes.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction

import av
from PIL import Image
from pymediainfo import MediaInfo

from services.validation import messages
from services.validation.boxes import TopLevelLayout, walk_top_level
from services.validation.images import PREVIEW_SIDE_PX, encode_webp
from services.validation.policy import VideoPolicy
from services.validation.sniff import Detected
from services.validation.verdict import MediaMetadata, Violation

logger = logging.getLogger(__name__)

# Exceptions PyAV raises on a malformed or cut file. FFmpegError covers every libav error code.
AV_ERRORS: tuple[type[BaseException], ...] = (av.FFmpegError, OSError, ValueError, EOFError, MemoryError)

# Clockwise rotations of the track header, by the transposition that shows a frame upright.
_ROTATION_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}
# Seconds before the index's last timestamp where reading for the latest sample end starts.
# NOTE: encoders reorder frames by well under a second. A crafted file whose composition offsets
# move a sample more than this past later samples would have that sample's end missed.
_TAIL_SECONDS = 2
# Tracks whose samples make up the playing time; data tracks such as timecode do not.
_TIMED_STREAM_TYPES = frozenset({"video", "audio", "subtitle"})


@dataclass
class VideoInspection:
    metadata: MediaMetadata
    violations: list[Violation] = field(default_factory=list)
    preview_webp: bytes = b""


@dataclass
class _Demuxed:
    """Measurements from demuxing: latest sample ends, packet counts and the first decoded frame."""

    # Latest sample end per stream index, in seconds.
    end_by_stream: dict[int, Fraction] = field(default_factory=dict)
    packets_by_stream: dict[int, int] = field(default_factory=dict)
    poster: av.VideoFrame | None = None
    error: str = ""

    @property
    def duration_ms(self) -> int:
        """Latest sample end over all tracks, whole milliseconds rounded down, so comparisons stay exact."""
        if not self.end_by_stream:
            return 0
        return max(0, math.floor(max(self.end_by_stream.values()) * 1000))


def inspect_video(path: str, detected: Detected, byte_size: int, rules: VideoPolicy) -> VideoInspection:
    """Judge an MP4 file against the video rules and make its poster preview when it passes."""
    metadata = MediaMetadata(format=detected.name, mime_type=detected.mime_type, byte_size=byte_size)
    result = VideoInspection(metadata)
    if byte_size > rules.max_bytes:
        result.violations.append(messages.file_too_large(detected.kind, byte_size, rules.max_bytes))

    with open(path, "rb") as file:
        layout = walk_top_level(file, byte_size)
    structure_problem = _structure_problem(layout)
    if structure_problem is not None:
        result.violations.append(structure_problem)
        return result

    # MediaInfo reads the track headers in a thread while PyAV demuxes: both wait on C code that
    # releases the GIL, so on an idle core the header read costs no time of its own.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mediainfo") as executor:
        rotation = executor.submit(_header_rotation, path)
        try:
            with av.open(path, mode="r") as container:
                poster = _inspect_streams(container, layout, rotation, rules, result)
        except AV_ERRORS as error:
            logger.debug("video could not be opened: %s: %s", type(error).__name__, error)
            result.violations.append(messages.corrupt_file(f"The MP4 file cannot be read ({_reason(error)})."))
            return result

    if poster is not None and not result.violations:
        result.preview_webp = encode_webp(poster)
    return result


def _structure_problem(layout: TopLevelLayout) -> Violation | None:
    """Return why the box structure cannot be a complete MP4, or None when it can."""
    if layout.malformed:
        return messages.corrupt_file(f"The MP4 file's box structure is damaged ({layout.malformed}).")
    if layout.cut_short is not None:
        box_type, declared, present = layout.cut_short
        name = box_type.decode("latin-1")
        return messages.corrupt_file(
            f"The MP4 file is cut short: its '{name}' box declares {declared:,} bytes but only {present:,} are present.",
            "Upload the complete file.",
        )
    if not layout.has_index:
        return messages.corrupt_file("The MP4 file has no index (moov box), so it cannot be played.")
    return None


def _header_rotation(path: str) -> int:
    """Return the clockwise rotation of the first video track's header (tkhd matrix) as MediaInfo reads it."""
    try:
        # parse_speed=0 reads the headers only; the samples are PyAV's part.
        # NOTE: libmediainfo 24.12 loops forever on some damaged files that FFmpeg opens. Only the
        # worker's time limit ends such a file (inspection_timed_out), after it held a worker that long.
        # MediaInfo gets an open file rather than the path. Given a path whose name does not end in
        # .mp4 or .mov, as the service's spool files do not, it spent about 10 times as long on a video.
        with open(path, "rb") as file:
            info = MediaInfo.parse(file, parse_speed=0)
    except (OSError, RuntimeError, ValueError) as error:
        logger.warning("MediaInfo could not parse the file: %s", error)
        return 0
    for track in info.video_tracks:
        try:
            return round(float(track.rotation or 0) / 90) % 4 * 90
        except (ValueError, OverflowError, TypeError):
            logger.debug("unreadable rotation %r, treated as 0", track.rotation)
            return 0
    return 0


def _inspect_streams(
    container: av.container.InputContainer,
    layout: TopLevelLayout,
    rotation: Future[int],
    rules: VideoPolicy,
    result: VideoInspection,
) -> Image.Image | None:
    metadata = result.metadata
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio[0] if container.streams.audio else None
    metadata.has_audio = audio is not None
    metadata.audio_codec = _codec_name(audio) if audio is not None else ""
    if video is None:
        result.violations.append(messages.no_video_track())
    elif video.codec_context is None:
        # PyAV leaves the codec context empty when FFmpeg has no decoder for the track's codec.
        metadata.video_codec = _codec_name(video)
        result.violations.append(
            messages.corrupt_file(
                f"The video track uses a codec that cannot be decoded ({metadata.video_codec}).",
                "Export the video again as H.264 or H.265 MP4 and upload it.",
            )
        )
        video = None
    else:
        metadata.video_codec = _codec_name(video)
        video.codec_context.thread_count = 1

    timed = [stream for stream in container.streams if stream.type in _TIMED_STREAM_TYPES]
    if layout.is_fragmented:
        demuxed = _demux_everything(container, timed, video)
    else:
        missing = _samples_past_end(timed, metadata.byte_size)
        if missing:
            result.violations.append(
                messages.corrupt_file(
                    f"The MP4 file is cut short: {missing:,} samples listed in its index lie past the end of the file.",
                    "Upload the complete file.",
                )
            )
            return None
        demuxed = _demux_first_frame_and_tail(container, timed, video)
    metadata.duration_ms = demuxed.duration_ms
    if demuxed.error:
        result.violations.append(messages.corrupt_file(f"The MP4 file's media data is damaged ({demuxed.error})."))
    _check_duration(metadata.duration_ms, rules, result)
    if video is None:
        return None

    if demuxed.poster is None:
        result.violations.append(messages.corrupt_file("The video track does not decode to a single frame."))
        width, height = video.codec_context.width, video.codec_context.height
    else:
        width, height = demuxed.poster.width, demuxed.poster.height
    metadata.frame_rate = _frame_rate(video, demuxed, metadata.duration_ms)
    if width <= 0 or height <= 0:
        if demuxed.poster is not None:
            result.violations.append(messages.corrupt_file("The video track declares no frame size."))
        return None

    metadata.rotation_degrees = rotation.result()
    aspect = _sample_aspect_ratio(video)
    display_width, display_height = width * aspect.numerator, height * aspect.denominator
    shown_width, shown_height = max(1, round(width * aspect)), height
    if metadata.rotation_degrees in (90, 270):
        display_width, display_height = display_height, display_width
        shown_width, shown_height = shown_height, shown_width
    metadata.width, metadata.height = shown_width, shown_height
    _check_aspect(display_width, display_height, shown_width, shown_height, rules, result)

    if demuxed.poster is None:
        return None
    return _poster_image(demuxed.poster, aspect, metadata.rotation_degrees)


def _codec_name(stream: av.stream.Stream) -> str:
    """Return FFmpeg's short codec name, or the track's four-character code when FFmpeg has no decoder."""
    if stream.codec_context is not None and stream.codec_context.name:
        return stream.codec_context.name
    tag = getattr(stream, "codec_tag", "")
    return f"unknown codec '{tag}'" if tag else "unknown codec"


def _demux_everything(
    container: av.container.InputContainer, timed: list[av.stream.Stream], video: av.video.stream.VideoStream | None
) -> _Demuxed:
    """Read every packet once and decode the first video frame on the way.

    Fragmented files take this path because their index only grows as their fragments are read.
    """
    demuxed = _Demuxed()
    end_ticks: dict[int, int] = {}
    try:
        _read_packets(container.demux(timed), video, end_ticks, demuxed)
        if demuxed.poster is None and video is not None:
            demuxed.poster = _first_frame(None, video)
    except AV_ERRORS as error:
        logger.debug("demux failed: %s: %s", type(error).__name__, error)
        demuxed.error = _reason(error)
    _set_ends(timed, end_ticks, demuxed)
    return demuxed


def _demux_first_frame_and_tail(
    container: av.container.InputContainer, timed: list[av.stream.Stream], video: av.video.stream.VideoStream | None
) -> _Demuxed:
    """Decode the first video frame, then read the packets of the last seconds of every track.

    The latest sample end lies within the last few samples in decoding order, because frame
    reordering spans well under a second. A seek to a couple of seconds before the index's last
    timestamp therefore finds it without reading the whole file. The index itself was checked to lie inside
    the file before this.
    """
    demuxed = _Demuxed()
    end_ticks: dict[int, int] = {}
    try:
        if video is not None:
            for packet in container.demux(video):
                if packet.pts is None and packet.dts is None:
                    continue
                demuxed.poster = _first_frame(packet)
                if demuxed.poster is not None:
                    break
            if demuxed.poster is None:
                demuxed.poster = _first_frame(None, video)
        tail_start = _last_index_time(timed) - _TAIL_SECONDS
        if tail_start > 0:
            container.seek(math.floor(tail_start * av.time_base), backward=True, any_frame=True)
        else:
            container.seek(0, backward=True, any_frame=True)
        _read_packets(container.demux(timed), None, end_ticks, demuxed)
    except AV_ERRORS as error:
        logger.debug("demux failed: %s: %s", type(error).__name__, error)
        demuxed.error = _reason(error)
    _set_ends(timed, end_ticks, demuxed)
    return demuxed


def _read_packets(packets, video: av.video.stream.VideoStream | None, end_ticks: dict[int, int], demuxed: _Demuxed) -> None:
    """Track the latest sample end per stream, in stream time base ticks; decode a poster when video is given.

    Ends stay integers until the end because a Fraction per packet costs more than the demuxing itself.
    """
    counts = demuxed.packets_by_stream
    video_index = video.index if video is not None else -1
    for packet in packets:
        timestamp = packet.pts
        if timestamp is None:
            timestamp = packet.dts
            if timestamp is None:
                continue  # the empty packet that flushes each stream at the end
        if packet.is_corrupt:
            demuxed.error = f"the sample at byte {packet.pos:,} is incomplete or damaged"
            return
        index = packet.stream_index
        end = timestamp + packet.duration
        if end > end_ticks.get(index, 0):
            end_ticks[index] = end
        counts[index] = counts.get(index, 0) + 1
        if index == video_index and demuxed.poster is None:
            demuxed.poster = _first_frame(packet)


def _set_ends(timed: list[av.stream.Stream], end_ticks: dict[int, int], demuxed: _Demuxed) -> None:
    for stream in timed:
        if stream.index in end_ticks and stream.time_base:
            demuxed.end_by_stream[stream.index] = end_ticks[stream.index] * Fraction(stream.time_base)


def _last_index_time(timed: list[av.stream.Stream]) -> Fraction:
    """Return the latest decoding timestamp in the index over all tracks, in seconds."""
    latest = Fraction(0)
    for stream in timed:
        entries = stream.index_entries
        if len(entries) and stream.time_base:
            latest = max(latest, entries[len(entries) - 1].timestamp * Fraction(stream.time_base))
    return latest


def _samples_past_end(timed: list[av.stream.Stream], byte_size: int) -> int:
    """Count samples whose bytes the index places past the end of the file, which means the file was cut."""
    missing = 0
    for stream in timed:
        for entry in stream.index_entries:
            if entry.pos + entry.size > byte_size:
                missing += 1
    return missing


def _first_frame(packet: av.Packet | None, stream: av.video.stream.VideoStream | None = None) -> av.VideoFrame | None:
    """Decode one packet, or flush the decoder when packet is None; a frame that fails to decode is None."""
    try:
        frames = packet.decode() if packet is not None else stream.codec_context.decode(None)
    except av.FFmpegError as error:
        logger.debug("video frame did not decode: %s", error)
        return None
    return frames[0] if frames else None


def _check_duration(duration_ms: int, rules: VideoPolicy, result: VideoInspection) -> None:
    if duration_ms <= 0:
        result.violations.append(messages.video_too_short(duration_ms))
    elif duration_ms >= rules.max_duration_ms_exclusive:
        result.violations.append(messages.video_too_long(duration_ms, rules))


def _check_aspect(
    display_width: int, display_height: int, shown_width: int, shown_height: int, rules: VideoPolicy, result: VideoInspection
) -> None:
    """Compare the display aspect ratio with both bounds by integer cross-multiplication, inclusive."""
    narrow_w, narrow_h = rules.min_aspect
    wide_w, wide_h = rules.max_aspect
    too_narrow = display_width * narrow_h < display_height * narrow_w
    too_wide = display_width * wide_h > display_height * wide_w
    if too_narrow or too_wide:
        ratio = Fraction(display_width, display_height)
        result.violations.append(messages.aspect_ratio_out_of_range(shown_width, shown_height, ratio, rules))


def _sample_aspect_ratio(video: av.video.stream.VideoStream) -> Fraction:
    """Return the pixel aspect ratio from the container, else the bitstream, else square pixels."""
    for candidate in (video.sample_aspect_ratio, video.codec_context.sample_aspect_ratio):
        if candidate and candidate.numerator > 0 and candidate.denominator > 0:
            return Fraction(candidate)
    return Fraction(1)


def _frame_rate(video: av.video.stream.VideoStream, demuxed: _Demuxed, duration_ms: int) -> float:
    """Return the average frame rate from the stream, else indexed video samples per second of playing time."""
    rate = video.average_rate
    if rate:
        return float(rate)
    return video.frames * 1000 / duration_ms if duration_ms > 0 else 0.0


def _poster_image(frame: av.VideoFrame, aspect: Fraction, rotation_degrees: int) -> Image.Image:
    """Scale the frame straight to preview size with its pixel aspect applied, then turn it upright."""
    display_width = frame.width * aspect
    scale = min(Fraction(1), Fraction(PREVIEW_SIDE_PX) / max(display_width, frame.height))
    width = max(1, round(display_width * scale))
    height = max(1, round(frame.height * scale))
    image = frame.to_image(width=width, height=height)
    transpose = _ROTATION_TRANSPOSE.get(rotation_degrees)
    return image.transpose(transpose) if transpose is not None else image


def _reason(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return "it needs more memory than allowed"
    text = str(error).split("\n", 1)[0][:120]
    return text or type(error).__name__
