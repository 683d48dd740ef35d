"""Run the gateway: `python -m gateway` serves HTTP on MEDIACENTER_HTTP_HOST:MEDIACENTER_HTTP_PORT."""

from __future__ import annotations

import uvicorn

from gateway.app import create_app
from gateway.settings import GatewaySettings
from services.runtime.logging import configure_logging
from services.runtime.settings import load_settings


def main() -> None:
    settings = load_settings(GatewaySettings)
    configure_logging("gateway", settings.log_format, settings.log_level)
    app = create_app(settings)
    # FastAPI prepares each route on its first request (about a second for all of them). Building the
    # OpenAPI document prepares them now, so the first requests after a start or a deploy are not slow.
    app.openapi()
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=settings.drain_seconds,
    )
    # uvicorn stops accepting on SIGTERM or SIGINT, waits for in-flight requests, then runs the lifespan shutdown.
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
