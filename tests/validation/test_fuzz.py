"""Seeded mutation fuzzing: every mutated JPEG, PNG and MP4 gets a verdict from the inspection pool.

The default count keeps the run near a minute on a laptop; set
MEDIACENTER_FUZZ_COUNT for a longer run, for example 20000 before a release.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from services.validation.policy import POLICY_V1
from services.validation.verdict import Kind, Verdict
from services.validation.workers import InspectionPool
from tests.validation.fuzz_corpus import hostile_files, mutated_files

FUZZ_COUNT = int(os.environ.get("MEDIACENTER_FUZZ_COUNT", "1200"))
FUZZ_SEED = int(os.environ.get("MEDIACENTER_FUZZ_SEED", "20261204"))
# Part of the message a worker returns when the reader crashed or raised an exception no handler expects.
READER_STOPPED = "the reader stopped"


@pytest.fixture(scope="module")
def pool():
    pool = InspectionPool(workers=2, timeout_seconds=20, memory_limit_bytes=2048 * 1024 * 1024, policy=POLICY_V1)
    yield pool
    pool.close()


def inspect_all(pool: InspectionPool, folder: Path, files: list[tuple[str, bytes]]) -> dict[str, Verdict]:
    def inspect(item: tuple[str, bytes]) -> tuple[str, Verdict]:
        name, data = item
        path = folder / name
        path.write_bytes(data)
        try:
            return name, pool.inspect(str(path), expected_kind=Kind.UNKNOWN, sha256="")
        finally:
            path.unlink()

    with ThreadPoolExecutor(max_workers=2) as executor:
        return dict(executor.map(inspect, files))


def test_mutated_files_all_get_verdict(pool, tmp_path):
    files = list(mutated_files(FUZZ_COUNT, FUZZ_SEED))

    verdicts = inspect_all(pool, tmp_path, files)

    stopped = [name for name, verdict in verdicts.items() if any(READER_STOPPED in v.message for v in verdict.violations)]
    timed_out = [name for name, verdict in verdicts.items() if "inspection_timed_out" in verdict.codes]
    assert len(verdicts) == FUZZ_COUNT
    assert stopped == []
    # A timeout is a verdict, but each one held a worker for the whole limit. libmediainfo 24.12
    # loops on about 1 in 5000 mutated MP4 files (seed 7), so a few are tolerated on long runs.
    assert len(timed_out) <= FUZZ_COUNT // 1000, timed_out
    outcomes = Counter(code for verdict in verdicts.values() for code in (verdict.codes or ["accepted"]))
    assert outcomes["corrupt_file"] > 0


def test_hostile_files_all_rejected(pool, tmp_path):
    files = list(hostile_files().items())

    verdicts = inspect_all(pool, tmp_path, files)

    for name, verdict in verdicts.items():
        assert not verdict.accepted, name
        assert all(READER_STOPPED not in violation.message for violation in verdict.violations), name
