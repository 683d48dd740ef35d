"""The real `mediacenter` command against the whole running product, as a seller and an operator use it."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import MEDIACENTER, ProductStack, command_environment, run_command
from tests.support.media import make_jpeg, make_png

pytestmark = pytest.mark.e2e


def _seller_environment(
    product_stack: ProductStack, tmp_path: Path, quota_bytes: int | None = None
) -> dict[str, str]:
    """Create a seller and return an environment whose gateway URL and key are that seller's."""
    _seller_id, api_key = product_stack.create_seller(f"CLI {uuid.uuid4().hex[:8]}", quota_bytes)
    return command_environment(
        tmp_path / "var", MEDIACENTER_URL=product_stack.base_url, MEDIACENTER_API_KEY=api_key
    )


def _operator_environment(product_stack: ProductStack, tmp_path: Path) -> dict[str, str]:
    return command_environment(
        tmp_path / "var",
        MEDIACENTER_CATALOGUE_ADDRESS=product_stack.catalogue_address,
        MEDIACENTER_STORAGE_ADDRESS=product_stack.storage_address,
    )


def _capacity(product_stack: ProductStack, api_key: str) -> dict[str, int]:
    response = httpx.get(
        f"{product_stack.base_url}/v1/capacity", headers={"Authorization": f"Bearer {api_key}"}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def _row(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if name in line)


def test_seller_create_json_gives_a_working_key(product_stack: ProductStack, tmp_path: Path) -> None:
    operator = _operator_environment(product_stack, tmp_path)

    created = run_command(["seller", "create", "Shoe shop", "--quota", "10MB", "--json"], operator)

    assert created.exit_code == 0, created.stdout + created.stderr
    document = json.loads(created.stdout)
    assert set(document) == {"seller_id", "api_key"}
    assert _capacity(product_stack, document["api_key"]) == {"used_bytes": 0, "total_bytes": 10 * 1024**2}


def test_upload_folder_with_good_rejected_and_duplicate(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = _seller_environment(product_stack, tmp_path)
    folder = tmp_path / "photos"
    (folder / "again").mkdir(parents=True)
    good = make_jpeg(800, 600, seed=11)
    (folder / "a-good.jpg").write_bytes(good)
    (folder / "again" / "b-copy.jpg").write_bytes(good)
    (folder / "c-small.png").write_bytes(make_png(200, 120, seed=12))

    result = run_command(["upload", str(folder), "--jobs", "1"], environment)

    assert result.exit_code == 1, result.stderr
    assert "accepted" in _row(result.stdout, "a-good.jpg")
    assert "duplicate" in _row(result.stdout, "b-copy.jpg")
    assert "already in the library as 'a-good.jpg'" in result.stdout
    assert "rejected" in _row(result.stdout, "c-small.png")
    assert "200" in result.stdout
    assert "300" in result.stdout
    assert "3 files: 1 accepted, 1 duplicate, 1 rejected." in result.stdout
    assert "Traceback" not in result.stderr
    assert _capacity(product_stack, environment["MEDIACENTER_API_KEY"])["used_bytes"] == len(good)


def test_upload_rerun_stores_nothing_twice(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = _seller_environment(product_stack, tmp_path)
    folder = tmp_path / "photos"
    folder.mkdir()
    sizes = 0
    for seed in range(3):
        # Large enough (about 240 KiB) that the gateway is still sending the file when a replay is answered.
        content = make_jpeg(1600, 1200, seed=100 + seed)
        (folder / f"p{seed}.jpg").write_bytes(content)
        sizes += len(content)
    first = run_command(["upload", str(folder), "--json"], environment)

    second = run_command(["upload", str(folder), "--json"], environment)
    listed = run_command(["search", "--all", "--json"], environment)

    assert first.exit_code == 0, first.stdout + first.stderr
    assert second.exit_code == 0, second.stdout + second.stderr
    assert [entry["status"] for entry in json.loads(first.stdout)["results"]] == ["accepted"] * 3
    assert [entry["status"] for entry in json.loads(second.stdout)["results"]] == ["duplicate"] * 3
    assert len(json.loads(listed.stdout)["items"]) == 3
    assert _capacity(product_stack, environment["MEDIACENTER_API_KEY"])["used_bytes"] == sizes


def test_upload_rerun_after_delete_stores_again(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = _seller_environment(product_stack, tmp_path)
    api_key = environment["MEDIACENTER_API_KEY"]
    image = tmp_path / "boot.jpg"
    image.write_bytes(make_jpeg(500, 500, seed=400))
    first = json.loads(run_command(["upload", str(image), "--json"], environment).stdout)
    first_id = first["results"][0]["media_id"]
    deleted = httpx.delete(
        f"{product_stack.base_url}/v1/media/{first_id}",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=30,
    )

    rerun = run_command(["upload", str(image), "--json"], environment)

    assert deleted.status_code == 204, deleted.text
    assert rerun.exit_code == 0, rerun.stdout + rerun.stderr
    result = json.loads(rerun.stdout)["results"][0]
    assert result["status"] == "accepted"
    assert result["media_id"] != first_id
    assert _capacity(product_stack, api_key)["used_bytes"] == image.stat().st_size


def test_bad_key_is_rejected_with_advice(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = command_environment(
        tmp_path / "var", MEDIACENTER_URL=product_stack.base_url, MEDIACENTER_API_KEY="mc_not-a-real-key"
    )
    image = tmp_path / "a.jpg"
    image.write_bytes(make_jpeg(seed=5))

    result = run_command(["upload", str(image)], environment)

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: The Media Center at {product_stack.base_url} rejected the API key from $MEDIACENTER_API_KEY:"
    )
    assert "--api-key" in result.stderr
    assert "--url" in result.stderr
    assert "Traceback" not in result.stderr


def test_search_export_and_listing(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = _seller_environment(product_stack, tmp_path)
    folder = tmp_path / "photos"
    folder.mkdir()
    for seed in range(2):
        (folder / f"red-boot-{seed}.jpg").write_bytes(make_jpeg(640, 480, seed=200 + seed))
    uploaded = json.loads(run_command(["upload", str(folder), "--json"], environment).stdout)
    first, second = (entry["media_id"] for entry in uploaded["results"])
    csv_path = tmp_path / "listings.csv"

    searched = run_command(["search", "boot"], environment)
    exported = run_command(["export-urls", second, first], environment)
    listing = run_command(["listing", "set", "sku-1", "--images", second, first], environment)
    shown = run_command(["listing", "show", "sku-1", "--json"], environment)
    csv = run_command(["listing", "export-csv", "sku-1", "-o", str(csv_path)], environment)

    assert searched.exit_code == 0, searched.stdout + searched.stderr
    assert "640x480" in _row(searched.stdout, "red-boot-0")
    assert exported.exit_code == 0, exported.stdout + exported.stderr
    urls = exported.stdout.splitlines()
    assert [url.split("/media/")[1].split("/")[0] for url in urls] == [second, first]
    assert listing.exit_code == 0, listing.stdout + listing.stderr
    assert [image["id"] for image in json.loads(shown.stdout)["images"]] == [second, first]
    assert csv.exit_code == 0, csv.stdout + csv.stderr
    assert urls[0] in csv_path.read_text()

    narrow = run_command(["search", "boot"], {**environment, "COLUMNS": "80"})
    by_name = run_command(["export-urls", "red-boot-0.jpg"], environment)

    assert narrow.exit_code == 0, narrow.stdout + narrow.stderr
    assert first in narrow.stdout
    assert second in narrow.stdout
    assert by_name.exit_code == 2
    assert "'red-boot-0.jpg' is not a media id" in by_name.stderr
    assert "mediacenter search" in by_name.stderr


def test_operator_quota_and_keys(product_stack: ProductStack, tmp_path: Path) -> None:
    operator = _operator_environment(product_stack, tmp_path)
    seller = json.loads(run_command(["seller", "create", "Key shop", "--json"], operator).stdout)

    quota = run_command(["seller", "set-quota", seller["seller_id"], "1GiB"], operator)
    key = run_command(["key", "create", seller["seller_id"], "--json"], operator)
    new_key = json.loads(key.stdout)
    revoked = run_command(["key", "revoke", new_key["api_key_id"]], operator)
    with_revoked_key = run_command(
        ["capacity", "--url", product_stack.base_url, "--api-key", new_key["api_key"]], operator
    )

    assert quota.exit_code == 0, quota.stdout + quota.stderr
    assert _capacity(product_stack, seller["api_key"])["total_bytes"] == 1024**3
    assert key.exit_code == 0, key.stdout + key.stderr
    assert revoked.exit_code == 0, revoked.stdout + revoked.stderr
    assert with_revoked_key.exit_code == 1
    assert "rejected the API key" in with_revoked_key.stderr


def test_operator_errors_name_the_value(product_stack: ProductStack, tmp_path: Path) -> None:
    operator = _operator_environment(product_stack, tmp_path)

    bad_quota = run_command(["seller", "create", "Shop", "--quota", "5 parsecs"], operator)
    unknown_seller = run_command(["seller", "set-quota", str(uuid.uuid4()), "1GB"], operator)

    assert bad_quota.exit_code == 2
    assert "Invalid size '5 parsecs'" in bad_quota.stderr
    assert unknown_seller.exit_code == 1
    assert "NOT_FOUND" in unknown_seller.stderr
    assert "Traceback" not in unknown_seller.stderr


def test_sweep_dry_run_reports(product_stack: ProductStack, tmp_path: Path) -> None:
    operator = _operator_environment(product_stack, tmp_path)

    result = run_command(["sweep", "--dry-run", "--json"], operator)

    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["dry_run"] is True
    assert document["scanned"] >= 0
    assert isinstance(document["removed_keys"], list)


def test_interrupted_upload_exits_130(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = _seller_environment(product_stack, tmp_path)
    api_key = environment["MEDIACENTER_API_KEY"]
    folder = tmp_path / "many"
    folder.mkdir()
    for seed in range(40):
        (folder / f"img-{seed:02}.jpg").write_bytes(make_jpeg(1600, 1200, seed=300 + seed))
    process = subprocess.Popen(
        [str(MEDIACENTER), "upload", str(folder), "--jobs", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if _capacity(product_stack, api_key)["used_bytes"] > 0:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the upload finished before it could be interrupted"

    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "accepted" in _row(stdout, "img-00.jpg")
    assert "Interrupted: run the same command again" in stdout
    rerun = run_command(["upload", str(folder), "--json"], environment)
    statuses = [entry["status"] for entry in json.loads(rerun.stdout)["results"]]
    assert rerun.exit_code == 0, rerun.stdout + rerun.stderr
    assert statuses[0] == "duplicate"
    assert set(statuses) <= {"accepted", "duplicate"}


def test_folder_rename_delete_and_media_delete(product_stack: ProductStack, tmp_path: Path) -> None:
    environment = _seller_environment(product_stack, tmp_path)
    image = tmp_path / "mug.jpg"
    image.write_bytes(make_jpeg(640, 480, seed=300))

    created = run_command(["folder", "create", "Summer", "--kind", "image"], environment)
    renamed = run_command(["folder", "rename", "summer", "Summer 2026"], environment)
    uploaded = json.loads(run_command(["upload", str(image), "--folder", "Summer 2026", "--json"], environment).stdout)
    media_id = uploaded["results"][0]["media_id"]
    full_folder = run_command(["folder", "delete", "Summer 2026"], environment)
    run_command(["listing", "set", "sku-9", "--images", media_id], environment)
    in_use = run_command(["delete", media_id], environment)
    detached = run_command(["delete", media_id, "--detach"], environment)
    emptied = run_command(["folder", "delete", "Summer 2026"], environment)
    listed = run_command(["folders", "--json"], environment)

    assert created.exit_code == 0, created.stderr
    assert renamed.exit_code == 0, renamed.stderr
    assert "'Summer' to 'Summer 2026'" in renamed.stdout
    assert full_folder.exit_code == 1
    assert 'Folder "Summer 2026" contains 1 media item:' in full_folder.stderr
    assert in_use.exit_code == 1
    assert "sku-9" in in_use.stderr
    assert detached.exit_code == 0, detached.stderr
    assert f"Deleted {media_id}." in detached.stdout
    assert emptied.exit_code == 0, emptied.stderr
    assert "Summer 2026" not in [folder["name"] for folder in json.loads(listed.stdout)["folders"]]
