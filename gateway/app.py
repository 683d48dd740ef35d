"""The FastAPI application: routes, error handlers, middleware and the gRPC channels' lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_swagger import patch_fastapi
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.backends import Backends
from gateway.delivery_cache import BlobCache, ResolutionCache
from gateway.errors import (
    ApiError,
    handle_api_error,
    handle_http_exception,
    handle_rpc_error,
    handle_validation_error,
)
from gateway.observability import RequestContextMiddleware
from gateway.ratelimit import TokenBucketLimiter
from gateway.routes import delivery, health, library, listings, uploads
from gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")

DESCRIPTION = """\
REST API of the Product Media Center: each seller's library of product photos and videos.

Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 problem details
(`application/problem+json`) with a `request_id` that is also returned in `X-Request-ID`.
"""


def create_app(settings: GatewaySettings) -> FastAPI:
    """Build the gateway application; the gRPC channels open at start-up and close at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backends = Backends.open(settings)
        logger.info(
            "gateway started",
            extra={
                "catalogue": settings.catalogue_address,
                "listing": settings.listing_address,
                "storage": settings.storage_address,
            },
        )
        try:
            yield
        finally:
            await app.state.backends.close()
            logger.info("gateway stopped")

    app = FastAPI(
        title="Product Media Center",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    # The API docs page loads Swagger UI's script and style from the gateway itself, not from a CDN,
    # so /docs works with no network beyond the gateway, as the Media Center page does.
    patch_fastapi(app, docs_url="/docs", redirect_from_root_to_docs=False)
    app.state.settings = settings
    app.state.upload_limiter = TokenBucketLimiter(settings.rate_limit_uploads_per_minute, action="uploads")
    app.state.search_limiter = TokenBucketLimiter(settings.rate_limit_searches_per_minute, action="searches")
    app.state.resolutions = ResolutionCache(settings.resolve_cache_seconds)
    app.state.blobs = BlobCache(settings.blob_cache_bytes, settings.blob_cache_max_item_bytes)

    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(grpc.RpcError, handle_rpc_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_middleware(RequestContextMiddleware)

    app.include_router(uploads.router)
    app.include_router(library.router)
    app.include_router(listings.router)
    app.include_router(delivery.router)
    app.include_router(health.router)

    @app.get("/", tags=["page"], summary="The Media Center page", response_class=FileResponse)
    async def index() -> FileResponse:
        index_file = STATIC_DIR / "index.html"
        if not index_file.is_file():
            raise ApiError(404, "not_found", "Not found", "The web page is not installed in gateway/static.")
        return FileResponse(index_file, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    return app
