"""`mediacenter up`: run the whole product on this machine until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from services.devstack.stack import DEFAULT_HTTP_PORT, Stack, default_var_dir
from services.runtime.logging import configure_logging

logger = logging.getLogger(__name__)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mediacenter up",
        description=(
            "Run the whole Media Center on this machine: a private PostgreSQL, local-folder blob storage, "
            "the four services and the gateway, each its own process on 127.0.0.1. Data is kept under the "
            "var folder and survives a restart. Stop with Ctrl-C."
        ),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("MEDIACENTER_HTTP_PORT", DEFAULT_HTTP_PORT)),
        help="TCP port of the web page and HTTP API on 127.0.0.1 (default: MEDIACENTER_HTTP_PORT or 8080).",
    )
    parser.add_argument(
        "--var-dir",
        type=os.path.abspath,
        default=str(default_var_dir()),
        help=(
            "Folder for the database, blobs, logs and the demo key "
            "(default: MEDIACENTER_VAR_DIR, else the folder var at the top of the repository)."
        ),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _parse(argv)
    configure_logging("devstack", os.environ.get("MEDIACENTER_LOG_FORMAT", "text"))
    stack = Stack(
        var_dir=Path(arguments.var_dir),
        http_port=arguments.port,
        database_url=os.environ.get("MEDIACENTER_DATABASE_URL") or None,
    )
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    print("Starting the Media Center (database, validation, storage, catalogue, listing, gateway)...", flush=True)
    try:
        stack.start()
        api_key = stack.ensure_demo_seller()
    except Exception as error:  # noqa: BLE001 - start-up failures end the run with their message
        print(f"The Media Center failed to start: {error}", file=sys.stderr)
        stack.stop()
        return 1

    print(
        "\nThe Media Center is running.\n"
        f"  Page and API:  {stack.gateway_url}\n"
        f"  API docs:      {stack.gateway_url}/docs\n"
        f"  Demo API key:  {api_key}\n"
        f"                 (also in {stack.var_dir / 'demo-api-key'})\n"
        f"  Logs:          {stack.var_dir / 'logs'}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    exit_status = 0
    while not stop_requested.wait(1.0):
        stopped = [process for process in stack.all_processes() if not process.is_running()]
        if stopped:
            process = stopped[0]
            print(f"\n{process.name} stopped unexpectedly. Last lines of its log:\n{process.log_tail()}",
                  file=sys.stderr)
            exit_status = 1
            break
    print("\nStopping...", flush=True)
    stack.stop()
    print("Stopped. Data is kept in", stack.var_dir)
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
