"""Which files an upload sends, and their idempotency keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.cli.errors import EXIT_USAGE, CliError
from services.cli.upload_files import collect_files


def _touch(path: Path, content: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_folder_walk_is_recursive_and_filters_suffixes(tmp_path: Path) -> None:
    _touch(tmp_path / "shoes" / "a.jpg")
    _touch(tmp_path / "shoes" / "B.JPEG")
    _touch(tmp_path / "shoes" / "deep" / "c.Png")
    _touch(tmp_path / "shoes" / "clip.MP4")
    _touch(tmp_path / "shoes" / "notes.txt")
    _touch(tmp_path / "shoes" / "photo.gif")
    _touch(tmp_path / "shoes" / "movie.mov")

    files = collect_files([str(tmp_path / "shoes")])

    names = [upload.path.name for upload in files]
    assert sorted(names) == ["B.JPEG", "a.jpg", "c.Png", "clip.MP4"]


def test_folder_walk_skips_hidden_entries(tmp_path: Path) -> None:
    _touch(tmp_path / "album" / "visible.jpg")
    _touch(tmp_path / "album" / ".hidden.jpg")
    _touch(tmp_path / "album" / ".thumbnails" / "inside.jpg")

    files = collect_files([str(tmp_path / "album")])

    assert [upload.path.name for upload in files] == ["visible.jpg"]


def test_folder_walk_order_is_stable(tmp_path: Path) -> None:
    for name in ("z.jpg", "a.jpg", "m/b.jpg", "c.png"):
        _touch(tmp_path / "album" / name)

    files = collect_files([str(tmp_path / "album")])

    assert [upload.display_path for upload in files] == [
        str(Path(tmp_path / "album" / name)) for name in ("a.jpg", "c.png", "z.jpg", "m/b.jpg")
    ]


def test_file_named_directly_is_sent_whatever_its_name(tmp_path: Path) -> None:
    named = _touch(tmp_path / "scan.dat")

    files = collect_files([str(named)])

    assert [upload.path for upload in files] == [named.resolve()]
    assert files[0].kind is None


def test_file_reached_twice_is_sent_once(tmp_path: Path) -> None:
    image = _touch(tmp_path / "album" / "a.jpg")

    files = collect_files([str(tmp_path / "album"), str(image), str(tmp_path / "album" / "." / "a.jpg")])

    assert len(files) == 1


def test_display_path_keeps_what_the_user_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _touch(tmp_path / "album" / "sub" / "a.jpg")
    monkeypatch.chdir(tmp_path)

    files = collect_files(["album"])

    assert files[0].display_path == os.path.join("album", "sub", "a.jpg")


def test_missing_paths_are_all_named(tmp_path: Path) -> None:
    with pytest.raises(CliError) as raised:
        collect_files([str(tmp_path / "nope.jpg"), str(tmp_path / "gone")])

    assert raised.value.exit_code == EXIT_USAGE
    assert f"No such file or folder: {tmp_path / 'nope.jpg'}" in raised.value.message
    assert f"No such file or folder: {tmp_path / 'gone'}" in raised.value.message


def test_kind_comes_from_the_suffix(tmp_path: Path) -> None:
    paths = [_touch(tmp_path / name) for name in ("a.JPG", "b.png", "c.mp4", "d.webp")]

    files = collect_files([str(path) for path in paths])

    assert [upload.kind for upload in files] == ["image", "image", "video", None]


def test_idempotency_key_is_stable_for_an_unchanged_file(tmp_path: Path) -> None:
    image = _touch(tmp_path / "a.jpg", b"first")

    first = collect_files([str(image)])[0].idempotency_key()
    second = collect_files([str(image)])[0].idempotency_key()

    assert first == second
    assert first.startswith("cli-")
    assert 1 <= len(first) <= 200
    assert first.isascii()
    assert first.isprintable()


def test_idempotency_key_changes_when_the_file_changes(tmp_path: Path) -> None:
    image = _touch(tmp_path / "a.jpg", b"first")
    before = collect_files([str(image)])[0].idempotency_key()

    image.write_bytes(b"second version")
    os.utime(image, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    after = collect_files([str(image)])[0].idempotency_key()

    assert before != after


def test_idempotency_key_differs_per_path_and_folder(tmp_path: Path) -> None:
    one = _touch(tmp_path / "one.jpg", b"same")
    two = _touch(tmp_path / "two.jpg", b"same")
    os.utime(two, ns=(one.stat().st_atime_ns, one.stat().st_mtime_ns))

    files = collect_files([str(one), str(two)])

    assert files[0].idempotency_key() != files[1].idempotency_key()
    assert files[0].idempotency_key("folder-a") != files[0].idempotency_key("folder-b")
