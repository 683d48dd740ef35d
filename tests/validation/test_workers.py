"""The inspection pool: time limit, memory limit and dead workers each end in a verdict, and the pool recovers."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.validation.policy import POLICY_V1
from services.validation.settings import ValidationSettings
from services.validation.verdict import Kind
from services.validation.workers import InspectionPool
from tests.validation import media_factory as media


@pytest.fixture(scope="module")
def large_png(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A flat 10,000 x 10,000 px PNG: small on disk, slow and large to decode."""
    path = tmp_path_factory.mktemp("media") / "large.png"
    path.write_bytes(media.flat_png(10_000, 10_000))
    return str(path)


@pytest.fixture(scope="module")
def small_jpeg(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("media") / "small.jpg"
    path.write_bytes(media.jpeg(400, 400))
    return str(path)


def make_pool(**overrides) -> InspectionPool:
    options = {"workers": 1, "timeout_seconds": 20.0, "memory_limit_bytes": 0, "policy": POLICY_V1}
    options.update(overrides)
    return InspectionPool(**options)


@pytest.fixture
def pool_factory() -> Iterator:
    pools: list[InspectionPool] = []

    def create(**overrides) -> InspectionPool:
        pool = make_pool(**overrides)
        pools.append(pool)
        return pool

    yield create
    for pool in pools:
        pool.close()


def test_pool_returns_verdict(pool_factory, small_jpeg):
    pool = pool_factory()

    verdict = pool.inspect(small_jpeg, expected_kind=Kind.UNKNOWN, sha256="digest")

    assert verdict.accepted
    assert verdict.sha256 == "digest"
    assert verdict.preview_webp


def test_slow_file_times_out_and_pool_recovers(pool_factory, large_png, small_jpeg):
    pool = pool_factory(timeout_seconds=0.2)
    first_worker = next(iter(pool._all)).process

    timed_out = pool.inspect(large_png, expected_kind=Kind.UNKNOWN, sha256="slow")

    replacement = next(iter(pool._all)).process
    assert timed_out.codes == ["inspection_timed_out"]
    assert timed_out.violations[0].limit == 200
    assert timed_out.violations[0].unit == "ms"
    assert "0.2 s" in timed_out.violations[0].message
    assert timed_out.sha256 == "slow"
    assert not first_worker.is_alive()
    assert replacement.is_alive()
    assert len(pool._all) == 1


def test_memory_limit_rejects_without_crash(pool_factory, large_png, small_jpeg):
    pool = pool_factory(memory_limit_bytes=400 * 1024 * 1024)

    verdict = pool.inspect(large_png, expected_kind=Kind.UNKNOWN, sha256="big")
    after = pool.inspect(small_jpeg, expected_kind=Kind.UNKNOWN, sha256="small")

    assert verdict.codes == ["corrupt_file"]
    assert "memory" in verdict.violations[0].message
    assert after.accepted


def test_largest_image_fits_default_memory_limit(pool_factory, large_png):
    # The time limit is raised because decoding 100 million pixels takes seconds on a busy machine.
    default_limit = ValidationSettings().inspect_memory_limit_mb * 1024 * 1024
    pool = pool_factory(memory_limit_bytes=default_limit, timeout_seconds=300)

    verdict = pool.inspect(large_png, expected_kind=Kind.UNKNOWN, sha256="big")

    assert verdict.accepted, verdict.violations
    assert (verdict.metadata.width, verdict.metadata.height) == (10_000, 10_000)


def test_dead_worker_gives_verdict_and_is_replaced(pool_factory, small_jpeg):
    pool = pool_factory()
    worker = next(iter(pool._all))
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.join(timeout=5)

    verdict = pool.inspect(small_jpeg, expected_kind=Kind.UNKNOWN, sha256="lost")
    after = pool.inspect(small_jpeg, expected_kind=Kind.UNKNOWN, sha256="next")

    assert verdict.codes == ["corrupt_file"]
    assert after.accepted


def test_missing_file_gives_verdict(pool_factory, tmp_path: Path):
    pool = pool_factory()

    verdict = pool.inspect(str(tmp_path / "gone.jpg"), expected_kind=Kind.UNKNOWN, sha256="gone")

    assert verdict.codes == ["corrupt_file"]
