"""The product end to end, started the way `make run` starts it, driven over HTTP as a client would."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from services.devstack.processes import free_port
from tests.support.media import make_jpeg

pytestmark = pytest.mark.e2e


def phone_photo() -> bytes:
    """A 3000x4000 portrait JPEG with EXIF orientation 6, as a phone camera writes it."""
    image = Image.open(io.BytesIO(make_jpeg(4000, 3000, seed=42, quality=85)))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def test_upload_list_capacity_and_bytes_round_trip(running_stack):
    _seller_id, api_key = running_stack.create_seller("E2E seller")
    headers = {"Authorization": f"Bearer {api_key}"}
    photo = phone_photo()

    with httpx.Client(base_url=running_stack.gateway_url, headers=headers, timeout=60) as client:
        uploaded = client.post("/v1/media", files={"file": ("IMG_0001.JPG", photo, "image/jpeg")})
        listed = client.get("/v1/media")
        capacity = client.get("/v1/capacity")
        item = uploaded.json()
        served = httpx.get(item["url"], timeout=30)

    assert uploaded.status_code == 201, uploaded.text
    assert item["kind"] == "image"
    assert item["format"] == "jpeg"
    assert (item["width"], item["height"]) == (3000, 4000)
    assert item["byte_size"] == len(photo)
    assert [entry["id"] for entry in listed.json()["items"]] == [item["id"]]
    assert capacity.json()["used_bytes"] == len(photo)
    assert served.status_code == 200
    assert served.content == photo


def test_missing_or_wrong_key_is_401_problem(running_stack):
    with httpx.Client(base_url=running_stack.gateway_url, timeout=30) as client:
        missing = client.get("/v1/capacity")
        wrong = client.get("/v1/capacity", headers={"Authorization": "Bearer mc_not-a-real-key"})

    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 401
        assert response.json()["detail"]


def _wait_for_line(process: subprocess.Popen, marker: str, timeout_seconds: float) -> str:
    deadline = time.monotonic() + timeout_seconds
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} not printed within {timeout_seconds} s:\n{''.join(seen)}")


def _start_embedded(var_dir: Path, port: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("mediacenter")), "up", "--port", str(port), "--var-dir", str(var_dir)]
    environment = {key: value for key, value in os.environ.items() if key != "MEDIACENTER_DATABASE_URL"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)


def _stop_with_ctrl_c(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=90)
    return output


def test_embedded_run_keeps_data_across_restart(tmp_path):
    var_dir = tmp_path / "var"
    port = free_port()
    first = _start_embedded(var_dir, port)
    try:
        banner = _wait_for_line(first, "Press Ctrl-C to stop.", 180)
        api_key = (var_dir / "demo-api-key").read_text().strip()
        headers = {"Authorization": f"Bearer {api_key}"}
        uploaded = httpx.post(
            f"http://127.0.0.1:{port}/v1/media",
            files={"file": ("kept.jpg", make_jpeg(800, 600, seed=7), "image/jpeg")},
            headers=headers,
            timeout=60,
        )
    finally:
        first_output = _stop_with_ctrl_c(first)

    assert f"http://127.0.0.1:{port}" in banner
    assert api_key in banner
    assert uploaded.status_code == 201, uploaded.text
    assert first.returncode == 0, first_output

    second = _start_embedded(var_dir, port)
    try:
        _wait_for_line(second, "Press Ctrl-C to stop.", 180)
        listed = httpx.get(f"http://127.0.0.1:{port}/v1/media", headers=headers, timeout=30)
        # A second run on the same folder, as a second `make run` in the same checkout starts it.
        twin = _start_embedded(var_dir, free_port())
        twin_output, _ = twin.communicate(timeout=60)
    finally:
        _stop_with_ctrl_c(second)

    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["items"]] == ["kept.jpg"]
    assert (var_dir / "demo-api-key").read_text().strip() == api_key
    assert twin.returncode == 1
    assert f"The Media Center already runs from {var_dir} at http://127.0.0.1:{port}" in twin_output
    assert "is running." not in twin_output


def test_port_in_use_fails_early(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other_server:
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        port = other_server.getsockname()[1]
        run = _start_embedded(tmp_path / "var", port)
        output, _ = run.communicate(timeout=60)

    assert run.returncode == 1
    assert f"Port {port} on 127.0.0.1 is in use by another program" in output
    assert f"--port {port + 1}" in output
    assert "is running." not in output
    # Refused before anything started: no database was created.
    assert not (tmp_path / "var" / "postgres").exists()
