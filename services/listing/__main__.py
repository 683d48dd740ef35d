"""Runs the listing service: `python -m services.listing`."""

from __future__ import annotations

from services.listing.app import build
from services.listing.settings import ListingSettings
from services.runtime.logging import configure_logging
from services.runtime.server import serve_until_signalled
from services.runtime.settings import load_settings


def main() -> None:
    settings = load_settings(ListingSettings)
    configure_logging("listing", settings.log_format, settings.log_level)
    running = build(settings)
    serve_until_signalled(running, settings)


if __name__ == "__main__":
    main()
