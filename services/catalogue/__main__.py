"""Run the catalogue service: `python -m services.catalogue`."""

from __future__ import annotations

from services.catalogue.app import build
from services.catalogue.settings import CatalogueSettings
from services.runtime.logging import configure_logging
from services.runtime.server import serve_until_signalled
from services.runtime.settings import load_settings


def main() -> None:
    settings = load_settings(CatalogueSettings)
    configure_logging("catalogue", settings.log_format, settings.log_level)
    running = build(settings)
    serve_until_signalled(running, settings)


if __name__ == "__main__":
    main()
