"""Run the catalogue service: `python -m services.catalogue [--migrate-only]`."""

from __future__ import annotations

import argparse

from services.catalogue.app import build
from services.catalogue.migrate import apply_migrations
from services.catalogue.settings import CatalogueSettings
from services.runtime.logging import configure_logging
from services.runtime.server import serve_until_signalled
from services.runtime.settings import load_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.catalogue", description="Run the catalogue gRPC service.")
    parser.add_argument(
        "--migrate-only",
        action="store_true",
        help="Bring the catalogue schema up to date, then exit (for a deployment's migration job).",
    )
    arguments = parser.parse_args(argv)
    settings = load_settings(CatalogueSettings)
    configure_logging("catalogue", settings.log_format, settings.log_level)
    if arguments.migrate_only:
        apply_migrations(settings.database_url)
        return
    running = build(settings)
    serve_until_signalled(running, settings)


if __name__ == "__main__":
    main()
