"""A stack of its own for the fault tests, since they kill and pause its processes."""

from __future__ import annotations

import pytest

from tests.support.stack import start_stack


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory):
    # A short deadline keeps the "slow service" cases quick; the sweep runs only on demand.
    stack = start_stack(
        tmp_path_factory.mktemp("fault-stack"),
        MEDIACENTER_CALL_TIMEOUT_SECONDS="3",
        MEDIACENTER_SWEEP_INTERVAL_SECONDS="0",
    )
    try:
        yield stack
    finally:
        for process in stack.all_processes():
            if process.is_running():
                process.process.send_signal(18)  # SIGCONT, in case a test left it paused
        stack.stop()
