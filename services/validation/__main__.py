"""Run the validation service: `python -m services.validation`."""

from __future__ import annotations

from services.runtime.logging import configure_logging
from services.runtime.server import serve_until_signalled
from services.runtime.settings import load_settings
from services.validation.app import build
from services.validation.settings import ValidationSettings


def main() -> None:
    settings = load_settings(ValidationSettings)
    configure_logging("validation", settings.log_format, settings.log_level)
    running = build(settings)
    serve_until_signalled(running, settings)


if __name__ == "__main__":
    main()
