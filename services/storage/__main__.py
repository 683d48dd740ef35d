"""Run the storage service: ``python -m services.storage``."""

from __future__ import annotations

from services.runtime.logging import configure_logging
from services.runtime.server import serve_until_signalled
from services.runtime.settings import load_settings
from services.storage.app import build
from services.storage.settings import StorageSettings


def main() -> None:
    settings = load_settings(StorageSettings)
    configure_logging("storage", settings.log_format, settings.log_level)
    running = build(settings)
    serve_until_signalled(running, settings)


if __name__ == "__main__":
    main()
