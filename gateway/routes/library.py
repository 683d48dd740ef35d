"""Capacity, folders and media items of the authenticated seller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from mediacenter.catalogue.v1 import catalogue_pb2
from mediacenter.common.v1 import common_pb2
from mediacenter.listing.v1 import listing_pb2

from gateway import schemas
from gateway.auth import Seller, authenticated_seller
from gateway.convert import KINDS_BY_NAME, folder_json, media_json
from gateway.errors import ApiError

router = APIRouter(prefix="/v1")
AuthSeller = Annotated[Seller, Depends(authenticated_seller)]


@router.get(
    "/capacity",
    response_model=schemas.Capacity,
    tags=["library"],
    summary="Bytes used and the quota",
    responses=schemas.problems(401),
)
async def get_capacity(request: Request, seller: AuthSeller) -> dict:
    capacity = await request.app.state.backends.catalogue.GetCapacity(
        catalogue_pb2.GetCapacityRequest(seller_id=seller.seller_id)
    )
    return {"used_bytes": capacity.used_bytes, "total_bytes": capacity.total_bytes}


@router.get(
    "/folders",
    response_model=schemas.FolderList,
    tags=["folders"],
    summary="List folders, default folders first",
    responses=schemas.problems(401),
)
async def list_folders(request: Request, seller: AuthSeller) -> dict:
    response = await request.app.state.backends.catalogue.ListFolders(
        catalogue_pb2.ListFoldersRequest(seller_id=seller.seller_id)
    )
    return {"folders": [folder_json(folder) for folder in response.folders]}


@router.post(
    "/folders",
    status_code=201,
    response_model=schemas.Folder,
    tags=["folders"],
    summary="Create a folder",
    description="Folder names are unique per seller and kind, ignoring case: a taken name is 409.",
    responses=schemas.problems(400, 401, 409, 422),
)
async def create_folder(request: Request, seller: AuthSeller, body: schemas.FolderCreate) -> dict:
    folder = await request.app.state.backends.catalogue.CreateFolder(
        catalogue_pb2.CreateFolderRequest(seller_id=seller.seller_id, name=body.name, kind=KINDS_BY_NAME[body.kind])
    )
    return folder_json(folder)


@router.patch(
    "/folders/{folder_id}",
    response_model=schemas.Folder,
    tags=["folders"],
    summary="Rename a folder",
    responses=schemas.problems(400, 401, 404, 409, 422),
)
async def rename_folder(request: Request, seller: AuthSeller, folder_id: str, body: schemas.FolderRename) -> dict:
    folder = await request.app.state.backends.catalogue.RenameFolder(
        catalogue_pb2.RenameFolderRequest(seller_id=seller.seller_id, folder_id=folder_id, name=body.name)
    )
    return folder_json(folder)


@router.delete(
    "/folders/{folder_id}",
    status_code=204,
    response_class=Response,
    tags=["folders"],
    summary="Delete an empty folder",
    description="409 when the folder holds media or is a default folder.",
    responses=schemas.problems(401, 404, 409),
)
async def delete_folder(request: Request, seller: AuthSeller, folder_id: str) -> Response:
    await request.app.state.backends.catalogue.DeleteFolder(
        catalogue_pb2.DeleteFolderRequest(seller_id=seller.seller_id, folder_id=folder_id)
    )
    return Response(status_code=204)


@router.get(
    "/media",
    response_model=schemas.MediaPage,
    tags=["media"],
    summary="Search media, newest first",
    responses=schemas.problems(401, 422, 429),
)
async def search_media(
    request: Request,
    seller: AuthSeller,
    q: Annotated[str, Query(description="Words or parts of words of the name, case-insensitive.")] = "",
    kind: Annotated[schemas.KindName | None, Query(description="Only this kind.")] = None,
    folder_id: Annotated[str, Query(description="Only this folder.")] = "",
    created_on: Annotated[str, Query(description="A single day, YYYY-MM-DD in UTC.")] = "",
    created_from: Annotated[str, Query(description="First day of a range, YYYY-MM-DD in UTC, inclusive.")] = "",
    created_to: Annotated[str, Query(description="Last day of a range, YYYY-MM-DD in UTC, inclusive.")] = "",
    limit: Annotated[int, Query(description="Items per page, 1 to 200; 50 when omitted.")] = 0,
    cursor: Annotated[str, Query(description="next_cursor of the previous page.")] = "",
) -> dict:
    request.app.state.search_limiter.take(seller.seller_id)
    response = await request.app.state.backends.catalogue.SearchMedia(
        catalogue_pb2.SearchMediaRequest(
            seller_id=seller.seller_id,
            query=q,
            kind=KINDS_BY_NAME[kind] if kind else common_pb2.MEDIA_KIND_UNSPECIFIED,
            folder_id=folder_id,
            created_on=created_on,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            cursor=cursor,
        )
    )
    return {"items": [media_json(item) for item in response.items], "next_cursor": response.next_cursor or None}


@router.get(
    "/media/{media_id}",
    response_model=schemas.MediaItem,
    tags=["media"],
    summary="Get a media item",
    responses=schemas.problems(401, 404),
)
async def get_media(request: Request, seller: AuthSeller, media_id: str) -> dict:
    media = await request.app.state.backends.catalogue.GetMedia(
        catalogue_pb2.GetMediaRequest(seller_id=seller.seller_id, media_id=media_id)
    )
    return media_json(media)


@router.patch(
    "/media/{media_id}",
    response_model=schemas.MediaItem,
    tags=["media"],
    summary="Rename or move a media item",
    description="A move to a folder of the other kind is 409.",
    responses=schemas.problems(400, 401, 404, 409, 422),
)
async def update_media(request: Request, seller: AuthSeller, media_id: str, body: schemas.MediaUpdate) -> dict:
    update = catalogue_pb2.UpdateMediaRequest(seller_id=seller.seller_id, media_id=media_id)
    if body.name is not None:
        update.name = body.name
    if body.folder_id is not None:
        update.folder_id = body.folder_id
    media = await request.app.state.backends.catalogue.UpdateMedia(update)
    # The download name of the public URL follows the new name from this request on.
    request.app.state.resolutions.forget(media_id)
    return media_json(media)


@router.delete(
    "/media/{media_id}",
    status_code=204,
    response_class=Response,
    tags=["media"],
    summary="Delete a media item",
    description=(
        "409 with `listing_ids` when listings use the item; with `detach=true` the item is first "
        "removed from every listing that uses it."
    ),
    responses=schemas.problems(401, 404, 409),
)
async def delete_media(
    request: Request,
    seller: AuthSeller,
    media_id: str,
    detach: Annotated[bool, Query(description="Remove the item from every listing that uses it, then delete it.")] = False,
) -> Response:
    await request.app.state.backends.listing.DeleteMedia(
        listing_pb2.DeleteMediaRequest(seller_id=seller.seller_id, media_id=media_id, detach=detach)
    )
    request.app.state.resolutions.forget(media_id)
    return Response(status_code=204)


@router.post(
    "/media/export-urls",
    response_model=schemas.ExportUrls,
    tags=["media"],
    summary="Public URLs of media items, in the given order",
    responses=schemas.problems(400, 401, 422),
)
async def export_urls(request: Request, seller: AuthSeller, body: schemas.ExportUrlsRequest) -> dict:
    response = await request.app.state.backends.listing.ExportMediaUrls(
        listing_pb2.ExportMediaUrlsRequest(seller_id=seller.seller_id, media_ids=body.ids)
    )
    return {"urls": list(response.urls), "text": response.text}


@router.get(
    "/session/demo-key",
    response_model=schemas.DemoKey,
    tags=["session"],
    summary="The demo seller's API key, when the embedded run wrote one",
    description="Lets the page fill in the key on a local demo. 404 when no demo key file is configured.",
    responses={404: schemas.PROBLEM_RESPONSE},
)
async def demo_key(request: Request) -> dict:
    path = request.app.state.settings.demo_api_key_file
    not_found = ApiError(404, "not_found", "Not found", "No demo API key is configured on this gateway.")
    if path is None:
        raise not_found
    try:
        api_key = path.read_text(encoding="utf-8").strip()
    except OSError:
        raise not_found from None
    if not api_key:
        raise not_found
    return {"api_key": api_key}
