"""POST /v1/media: a multipart upload streamed into the catalogue while it arrives."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from mediacenter.catalogue.v1 import catalogue_pb2
from starlette.requests import ClientDisconnect

from gateway import schemas
from gateway.auth import Seller, authenticated_seller
from gateway.convert import media_json
from gateway.errors import ApiError
from gateway.upload_stream import (
    CALL_DEADLINE_MARGIN_SECONDS,
    MAX_FILE_BYTES,
    MAX_FORM_OVERHEAD_BYTES,
    FormReader,
    UploadCall,
    multipart_boundary,
    too_large_error,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["media"])

UPLOAD_DESCRIPTION = """\
Upload one file as multipart/form-data in the field `file`, with an optional display name in the field
`name`. The name is used only when the `name` field comes before `file` in the body; otherwise the item
takes the cleaned file name. The file is judged by its bytes: 201 with the new item, 200 with
`duplicate: true` and the existing item for bytes the seller already has, 422 with `errors` (one entry
per broken rule) for a rejected file or one that does not fit the quota, 413 for a file over 10 MB
(cut off as soon as the body passes the limit). A retry with the same `Idempotency-Key` returns the
first result. A client that does not finish sending in time gets 408.
"""

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "name": {"type": "string", "description": "Display name; send it before `file`."},
                        "file": {"type": "string", "format": "binary", "description": "One image or video."},
                    },
                }
            }
        },
    }
}


@router.post(
    "/media",
    status_code=201,
    response_model=schemas.UploadedMedia,
    summary="Upload a file",
    description=UPLOAD_DESCRIPTION,
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"model": schemas.UploadedMedia, "description": "The seller already had these bytes."},
        **schemas.problems(400, 401, 404, 408, 409, 413, 415, 422, 429),
    },
)
async def upload_media(
    request: Request,
    seller: Annotated[Seller, Depends(authenticated_seller)],
    folder_id: Annotated[str, Query(description="Target folder; the default folder of the file's kind when omitted.")] = "",
    idempotency_key: Annotated[
        str | None, Header(description="A retry with the same key returns the first result.")
    ] = None,
) -> JSONResponse:
    request.app.state.upload_limiter.take(seller.seller_id)
    boundary = multipart_boundary(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FILE_BYTES + MAX_FORM_OVERHEAD_BYTES:
        raise too_large_error()

    header = catalogue_pb2.UploadHeader(
        seller_id=seller.seller_id, folder_id=folder_id, idempotency_key=idempotency_key or ""
    )
    timeout = request.app.state.settings.upload_timeout_seconds
    result = await _stream_upload(request, FormReader(boundary), header, timeout)

    body = media_json(result.media)
    body["duplicate"] = result.duplicate
    logger.info(
        "upload finished",
        extra={"media_id": result.media.id, "duplicate": result.duplicate, "byte_size": body["byte_size"]},
    )
    return JSONResponse(body, status_code=200 if result.duplicate else 201)


async def _stream_upload(
    request: Request,
    form: FormReader,
    header: catalogue_pb2.UploadHeader,
    timeout_seconds: float,
) -> catalogue_pb2.UploadMediaResponse:
    """Feed the body to the form parser and the file bytes to UploadMedia; return the catalogue's response."""
    catalogue = request.app.state.backends.catalogue
    call: UploadCall | None = None
    try:
        try:
            async with asyncio.timeout(timeout_seconds):
                async for piece in request.stream():
                    file_bytes = form.feed(piece)
                    if call is None and form.file_started:
                        header.name = form.name
                        header.file_name = form.file_name or ""
                        call = UploadCall(catalogue, header, timeout_seconds + CALL_DEADLINE_MARGIN_SECONDS)
                    for data in file_bytes:
                        await call.send(data)
                    if form.finished:
                        break
        except ClientDisconnect:
            logger.info("the client disconnected during an upload; the upload was cancelled")
            raise ApiError(
                400, "client_disconnected", "Client disconnected", "The connection closed before the upload was complete."
            ) from None
        except TimeoutError:
            raise ApiError(
                408, "request_timeout", "Request timeout",
                f"The upload did not arrive within {timeout_seconds:g} s. Check the connection and send it again.",
            ) from None
        form.check_complete()
        return await call.finish()
    except BaseException:
        if call is not None:
            call.cancel()
        raise
