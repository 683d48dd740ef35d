"""Runs the listing service: `python -m services.listing [--migrate-only]`."""

from __future__ import annotations

import argparse

from services.listing.app import build
from services.listing.database import apply_migrations, open_pool
from services.listing.settings import ListingSettings
from services.runtime.logging import configure_logging
from services.runtime.server import serve_until_signalled
from services.runtime.settings import load_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.listing", description="Run the listing gRPC service.")
    parser.add_argument(
        "--migrate-only",
        action="store_true",
        help="Bring the listing schema up to date, then exit (for a deployment's migration job).",
    )
    arguments = parser.parse_args(argv)
    settings = load_settings(ListingSettings)
    configure_logging("listing", settings.log_format, settings.log_level)
    if arguments.migrate_only:
        pool = open_pool(settings.database_url, max_size=1, lock_timeout_seconds=settings.call_timeout_seconds)
        try:
            apply_migrations(pool)
        finally:
            pool.close()
        return
    running = build(settings)
    serve_until_signalled(running, settings)


if __name__ == "__main__":
    main()
