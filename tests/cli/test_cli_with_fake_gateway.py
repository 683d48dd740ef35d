"""The real `mediacenter` command, run as a user would, against the in-process fake gateway."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import MEDIACENTER, command_environment, run_command
from tests.cli.fake_gateway import API_KEY, FakeGateway
from tests.support.media import make_jpeg, make_png


@pytest.fixture
def environment(fake_gateway: FakeGateway, tmp_path: Path) -> dict[str, str]:
    return command_environment(
        tmp_path / "var", MEDIACENTER_URL=fake_gateway.url, MEDIACENTER_API_KEY=API_KEY
    )


def _photo_folder(root: Path) -> Path:
    """A folder with a good JPEG, a copy of it (a duplicate), a too-small PNG and a text file named .jpg."""
    folder = root / "photos"
    (folder / "more").mkdir(parents=True)
    good = make_jpeg(640, 480, seed=1)
    (folder / "a-good.jpg").write_bytes(good)
    (folder / "more" / "b-copy.jpg").write_bytes(good)
    (folder / "c-small.png").write_bytes(make_png(200, 120, seed=2))
    (folder / "d-fake.jpg").write_bytes(b"this is not an image")
    (folder / "notes.txt").write_bytes(b"skipped: not a media file name")
    return folder


def _row(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if name in line)


def test_upload_folder_reports_each_file(environment: dict[str, str], tmp_path: Path, fake_gateway) -> None:
    folder = _photo_folder(tmp_path)

    result = run_command(["upload", str(folder), "--jobs", "1"], environment)

    assert result.exit_code == 1
    assert "accepted" in _row(result.stdout, "a-good.jpg")
    assert "duplicate" in _row(result.stdout, "b-copy.jpg")
    assert "rejected" in _row(result.stdout, "c-small.png")
    assert "The image width is 200 px; it must be at least 300 px." in result.stdout
    assert "The image height is 120 px; it must be at least 300 px." in result.stdout
    assert "rejected" in _row(result.stdout, "d-fake.jpg")
    assert "notes.txt" not in result.stdout
    assert "4 files: 1 accepted, 1 duplicate, 2 rejected." in result.stdout
    assert len(fake_gateway.state.media) == 1
    assert "Traceback" not in result.stderr


def test_upload_rerun_stores_nothing_twice(environment: dict[str, str], tmp_path: Path, fake_gateway) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(3):
        (folder / f"p{seed}.jpg").write_bytes(make_jpeg(400, 400, seed=seed))
    first = run_command(["upload", str(folder), "--json"], environment)

    second = run_command(["upload", str(folder), "--json"], environment)

    assert first.exit_code == 0, first.stdout + first.stderr
    assert second.exit_code == 0, second.stdout + second.stderr
    first_document, second_document = json.loads(first.stdout), json.loads(second.stdout)
    assert [entry["status"] for entry in first_document["results"]] == ["accepted"] * 3
    assert [entry["status"] for entry in second_document["results"]] == ["duplicate"] * 3
    assert {entry["media_id"] for entry in first_document["results"]} == {
        entry["media_id"] for entry in second_document["results"]
    }
    assert len(fake_gateway.state.media) == 3


def test_upload_rerun_after_delete_stores_again(
    environment: dict[str, str], tmp_path: Path, fake_gateway
) -> None:
    image = tmp_path / "shoe.jpg"
    image.write_bytes(make_jpeg(500, 500, seed=21))
    first = json.loads(run_command(["upload", str(image), "--json"], environment).stdout)
    first_id = first["results"][0]["media_id"]
    deleted = httpx.delete(
        f"{fake_gateway.url}/v1/media/{first_id}", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30
    )

    rerun = run_command(["upload", str(image), "--json"], environment)

    assert deleted.status_code == 204
    assert rerun.exit_code == 0, rerun.stdout + rerun.stderr
    result = json.loads(rerun.stdout)["results"][0]
    assert result["status"] == "accepted"
    assert result["media_id"] != first_id
    assert list(fake_gateway.state.media) == [result["media_id"]]


def test_upload_json_document(environment: dict[str, str], tmp_path: Path) -> None:
    folder = _photo_folder(tmp_path)

    result = run_command(["upload", str(folder), "--json", "--jobs", "1"], environment)

    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert document["ok"] is False
    assert document["summary"]["accepted"] == 1
    assert document["summary"]["duplicate"] == 1
    assert document["summary"]["rejected"] == 2
    small = next(entry for entry in document["results"] if entry["path"].endswith("c-small.png"))
    assert [error["code"] for error in small["errors"]] == ["image_too_small", "image_too_small"]


def test_upload_to_folder_by_name(environment: dict[str, str], tmp_path: Path, fake_gateway) -> None:
    created = run_command(["folder", "create", "Summer Shoes", "--kind", "image", "--json"], environment)
    folder_id = json.loads(created.stdout)["id"]
    image = tmp_path / "shoe.jpg"
    image.write_bytes(make_jpeg(500, 500, seed=7))

    result = run_command(["upload", str(image), "--folder", "summer shoes", "--json"], environment)

    assert result.exit_code == 0, result.stdout + result.stderr
    media_id = json.loads(result.stdout)["results"][0]["media_id"]
    assert fake_gateway.state.media[media_id]["folder_id"] == folder_id


def test_upload_unknown_folder_stops_before_uploading(
    environment: dict[str, str], tmp_path: Path, fake_gateway
):
    image = tmp_path / "shoe.jpg"
    image.write_bytes(make_jpeg(500, 500, seed=7))

    result = run_command(["upload", str(image), "--folder", "Winter"], environment)

    assert result.exit_code == 2
    assert "No image folder has the name or id 'Winter'" in result.stderr
    assert "mediacenter folder create Winter --kind image" in result.stderr
    assert fake_gateway.state.upload_requests == 0


def test_upload_missing_path(environment: dict[str, str], tmp_path: Path) -> None:
    result = run_command(["upload", str(tmp_path / "nowhere")], environment)

    assert result.exit_code == 2
    assert f"No such file or folder: {tmp_path / 'nowhere'}" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_api_key_is_named(fake_gateway: FakeGateway, tmp_path: Path) -> None:
    environment = command_environment(tmp_path / "var", MEDIACENTER_URL=fake_gateway.url)
    image = tmp_path / "a.jpg"
    image.write_bytes(make_jpeg(seed=3))

    result = run_command(["upload", str(image), "--api-key", "wrong-key"], environment)

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: The Media Center at {fake_gateway.url} rejected the API key from --api-key: "
        "The API key is unknown or revoked."
    )
    assert "--api-key" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_gateway.state.upload_requests == 0


def test_stopped_gateway_is_named(tmp_path: Path) -> None:
    environment = command_environment(tmp_path / "var", MEDIACENTER_API_KEY=API_KEY)
    stopped = FakeGateway()
    stopped.start()
    stopped.stop()

    result = run_command(["capacity", "--url", stopped.url], environment)

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: Cannot reach the Media Center at {stopped.url}: is it running? Start it with `make run`."
    )


def test_values_come_from_the_var_folder(fake_gateway: FakeGateway, tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / "stack.json").write_text(json.dumps({"gateway_url": fake_gateway.url}))
    (var_dir / "demo-api-key").write_text(API_KEY + "\n")

    result = run_command(["capacity", "--json"], command_environment(var_dir))

    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {"used_bytes": 0, "total_bytes": 5 * 1024**3}


def test_search_table_and_paging(environment: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(3):
        (folder / f"red-shoe-{seed}.jpg").write_bytes(make_jpeg(640, 480, seed=seed))
    (folder / "blue-hat.png").write_bytes(make_png(400, 300, seed=9))
    run_command(["upload", str(folder)], environment)

    table = run_command(["search", "SHOE"], environment)
    limited = run_command(["search", "--limit", "2", "--json"], environment)
    everything = run_command(["search", "--all", "--json"], environment)

    assert table.exit_code == 0, table.stdout + table.stderr
    row = _row(table.stdout, "red-shoe-1.jpg")
    assert "image" in row
    assert "640x480" in row
    assert "blue-hat" not in table.stdout
    assert "3 items." in table.stdout
    assert len(json.loads(limited.stdout)["items"]) == 2
    assert len(json.loads(everything.stdout)["items"]) == 4


def test_search_rejects_a_bad_day(environment: dict[str, str]) -> None:
    result = run_command(["search", "--on", "04/12/2026"], environment)

    assert result.exit_code == 2
    assert "Invalid day '04/12/2026': write it as YYYY-MM-DD" in result.stderr


def test_export_urls_in_given_order(environment: dict[str, str], tmp_path: Path, fake_gateway) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(3):
        (folder / f"p{seed}.jpg").write_bytes(make_jpeg(400, 400, seed=seed))
    uploaded = json.loads(run_command(["upload", str(folder), "--json"], environment).stdout)
    ids = [entry["media_id"] for entry in uploaded["results"]][::-1]

    result = run_command(["export-urls", *ids], environment)

    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [fake_gateway.state.media[media_id]["url"] for media_id in ids]


def test_listing_set_show_and_csv(environment: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(2):
        (folder / f"p{seed}.jpg").write_bytes(make_jpeg(400, 400, seed=seed))
    uploaded = json.loads(run_command(["upload", str(folder), "--json"], environment).stdout)
    first, second = (entry["media_id"] for entry in uploaded["results"])
    csv_path = tmp_path / "listings.csv"

    set_result = run_command(["listing", "set", "L-1", "--images", second, first], environment)
    shown = run_command(["listing", "show", "L-1"], environment)
    exported = run_command(["listing", "export-csv", "L-1", "-o", str(csv_path)], environment)

    assert set_result.exit_code == 0, set_result.stdout + set_result.stderr
    assert shown.exit_code == 0, shown.stdout + shown.stderr
    assert "Listing L-1, version v1" in shown.stdout
    assert second in _row(shown.stdout, "main image")
    assert first in _row(shown.stdout, "image 2")
    assert exported.exit_code == 0, exported.stdout + exported.stderr
    assert second in csv_path.read_text().splitlines()[1]


def test_listing_set_names_unknown_ids(environment: dict[str, str]) -> None:
    result = run_command(["listing", "set", "L-1", "--images", "no-such-id"], environment)

    assert result.exit_code == 1
    assert "HTTP 422: Unknown media ids: no-such-id." in result.stderr


def test_folders_and_capacity(environment: dict[str, str], tmp_path: Path) -> None:
    image = tmp_path / "a.jpg"
    image.write_bytes(make_jpeg(seed=5))
    run_command(["upload", str(image)], environment)

    folders = run_command(["folders"], environment)
    capacity = run_command(["capacity"], environment)
    duplicate_folder = run_command(["folder", "create", "images", "--kind", "image"], environment)

    assert "Images" in _row(folders.stdout, "folder-images")
    assert "yes" in _row(folders.stdout, "folder-images")
    assert capacity.stdout.startswith(f"Used {image.stat().st_size / 1024:.1f} KiB of 5.0 GiB")
    assert duplicate_folder.exit_code == 1
    assert "already exists" in duplicate_folder.stderr


def test_interrupted_upload_exits_130_with_partial_table(
    environment: dict[str, str], tmp_path: Path, fake_gateway: FakeGateway
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for seed in range(30):
        (folder / f"img-{seed:02}.jpg").write_bytes(make_jpeg(320, 320, seed=seed))
    fake_gateway.state.upload_delay_seconds = 0.3
    process = subprocess.Popen(
        [str(MEDIACENTER), "upload", str(folder), "--jobs", "2"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(fake_gateway.state.media) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)

    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert "accepted" in _row(stdout, "img-00.jpg")
    assert "Interrupted: run the same command again" in stdout
    assert "not started" in stdout


def test_up_passes_arguments_to_the_embedded_run(tmp_path: Path) -> None:
    result = run_command(["up", "--help"], command_environment(tmp_path / "var"))

    assert result.exit_code == 0
    assert result.stdout.startswith("usage: mediacenter up")
    assert "--port" in result.stdout
