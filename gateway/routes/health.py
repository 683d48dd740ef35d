"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from gateway import schemas
from gateway.errors import ApiError

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process is running")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: every service answers its gRPC health check within 2 s",
    description="503 lists the services that did not report SERVING in `unavailable`.",
    responses={503: schemas.PROBLEM_RESPONSE},
)
async def readyz(request: Request) -> dict:
    unready = await request.app.state.backends.unready_services()
    if unready:
        raise ApiError(
            503, "not_ready", "Not ready",
            f"These services did not report SERVING: {', '.join(unready)}.",
            headers={"Retry-After": "2"},
            unavailable=unready,
        )
    return {"status": "ready"}


@router.get("/metrics", summary="Prometheus metrics in the text format", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
