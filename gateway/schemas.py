"""Request and response bodies of the HTTP API, as they appear in the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

KindName = Literal["image", "video"]


class Problem(BaseModel):
    """An RFC 9457 problem details body (application/problem+json)."""

    type: str = Field(description="URN naming the kind of problem, for example urn:mediacenter:problem:not_found.")
    title: str
    status: int
    detail: str = Field(description="What failed, on which value, and what to do.")
    code: str = Field(description="Stable machine code of the problem.")
    request_id: str = Field(description="Id of the request, also in the X-Request-ID header; quote it in reports.")
    errors: list[dict[str, Any]] | None = Field(
        None, description="Upload rejections: one {code, message, measured, limit, unit} per broken rule."
    )
    invalid_params: list[dict[str, str]] | None = Field(None, description="Invalid fields: {name, reason}.")
    listing_ids: list[str] | None = Field(None, description="Listings that use the media item (409 media_in_use).")
    listing_count: int | None = Field(None, description="How many listings use the media item (409 media_in_use).")


class Capacity(BaseModel):
    used_bytes: int = Field(description="Sum of the byte sizes of the seller's live media.")
    total_bytes: int = Field(description="The seller's quota in bytes.")


class Folder(BaseModel):
    id: str
    name: str
    kind: KindName
    is_default: bool
    item_count: int = Field(description="Live media items in the folder.")


class FolderList(BaseModel):
    folders: list[Folder]


class FolderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="1 to 100 characters; unique per seller and kind, ignoring case.")
    kind: KindName


class FolderRename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class MediaItem(BaseModel):
    id: str
    name: str
    kind: KindName | None
    folder_id: str
    format: str = Field(description='"jpeg", "png" or "mp4".')
    mime_type: str
    byte_size: int
    width: int = Field(description="Width in pixels as displayed.")
    height: int = Field(description="Height in pixels as displayed.")
    duration_ms: int | None = Field(None, description="Videos only: length in milliseconds.")
    sha256: str
    created_at: str | None = Field(description="Time of the first upload, RFC 3339 in UTC.")
    url: str = Field(description="Public URL of the bytes.")
    preview_url: str = Field(description="Public URL of the WebP preview.")


class UploadedMedia(MediaItem):
    duplicate: bool = Field(description="True when the seller already had these bytes; the item is the existing one.")


class MediaPage(BaseModel):
    items: list[MediaItem]
    next_cursor: str | None = Field(description="Cursor of the next page, or null on the last page.")


class MediaUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, description="New display name; omit to keep it.")
    folder_id: str | None = Field(None, description="Folder to move the item to; omit to keep it.")


class ExportUrlsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(description="Media ids in the order wanted, 1 to 500.")


class ExportUrls(BaseModel):
    urls: list[str]
    text: str = Field(description="The URLs, one per line, ready to paste into a spreadsheet column.")


class ListingMediaUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    images: list[str] = Field(default_factory=list, description="Image ids in order; the first is the main image. At most 9.")
    video: str | None = Field(None, description="Video id, or null for none.")
    size_chart: str | None = Field(None, description="Image id of the size chart, or null for none.")


class ListingMedia(BaseModel):
    listing_id: str
    images: list[MediaItem]
    video: MediaItem | None
    size_chart: MediaItem | None
    version: int = Field(description="Increases by one on every write; also sent as the ETag \"v<version>\".")


class DemoKey(BaseModel):
    api_key: str


PROBLEM_RESPONSE = {"model": Problem, "content": {"application/problem+json": {}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return OpenAPI response entries for the given error statuses, plus the ones every route can return."""
    every_route = (500, 503, 504)
    return {status: PROBLEM_RESPONSE for status in (*statuses, *every_route)}
