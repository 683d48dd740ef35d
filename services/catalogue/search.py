"""Search of a seller's live media by name words, date and kind, newest first, a page at a time.

The cursor is base64url of a small JSON object: the (created_at, id) of the
last item of the page, plus a digest of the search it belongs to. It is
checked strictly, so a changed or foreign cursor is INVALID_ARGUMENT on the
field "cursor" rather than a silently different page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from psycopg_pool import ConnectionPool

from services.catalogue.errors import seller_id_of
from services.catalogue.folders import folder_id_of
from services.catalogue.names import search_tokens
from services.catalogue.records import MediaRecord
from services.catalogue.repository import media as media_rows
from services.runtime.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 10
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURSOR_KEYS = {"t", "i", "s"}


@dataclass(frozen=True)
class SearchRequest:
    seller_id: str
    query: str = ""
    kind: str | None = None
    folder_id: str = ""
    created_on: str = ""
    created_from: str = ""
    created_to: str = ""
    limit: int = 0
    cursor: str = ""


def _invalid(field: str, message: str, description: str) -> InvalidArgument:
    return InvalidArgument("invalid_search", message, field_violations=[(field, description)])


def _parse_day(value: str, field: str) -> date:
    if _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid(field, f"{field} {value!r} is not a valid date: use YYYY-MM-DD, for example 2026-03-01.",
                   "must be a calendar date in the form YYYY-MM-DD (UTC)")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _date_bounds(request: SearchRequest) -> tuple[datetime | None, datetime | None]:
    """Return [start, end) in UTC for created_on or the inclusive created_from..created_to range."""
    if request.created_on:
        if request.created_from or request.created_to:
            raise _invalid("created_on", "created_on cannot be combined with created_from or created_to:"
                           " send one day or a range.", "must not be set together with created_from or created_to")
        day = _parse_day(request.created_on, "created_on")
        return _start_of(day), _start_of(day + timedelta(days=1))
    first = _parse_day(request.created_from, "created_from") if request.created_from else None
    last = _parse_day(request.created_to, "created_to") if request.created_to else None
    if first and last and first > last:
        raise _invalid("created_from", f"created_from {first} is after created_to {last}: swap them.",
                       "must be on or before created_to")
    return (_start_of(first) if first else None), (_start_of(last + timedelta(days=1)) if last else None)


def _limit_of(limit: int) -> int:
    if limit == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise _invalid("limit", f"limit {limit} is out of range: ask for 1 to {MAX_PAGE_SIZE} items, or 0 for"
                       f" {DEFAULT_PAGE_SIZE}.", f"must be between 1 and {MAX_PAGE_SIZE}")
    return limit


def _tokens_of(query: str) -> list[str]:
    if len(query) > MAX_QUERY_CHARS:
        raise _invalid("query", f"The query has {len(query)} characters; use at most {MAX_QUERY_CHARS}.",
                       f"must contain at most {MAX_QUERY_CHARS} characters")
    tokens = search_tokens(query)
    if query.strip() and not tokens:
        raise _invalid("query", f"The query {query!r} has no letters or digits: search for a word or part of one.",
                       "must contain at least one letter or digit, or be empty")
    if len(tokens) > MAX_QUERY_TOKENS:
        raise _invalid("query", f"The query has {len(tokens)} words; use at most {MAX_QUERY_TOKENS}.",
                       f"must contain at most {MAX_QUERY_TOKENS} words")
    return list(dict.fromkeys(tokens))


def _search_digest(request: SearchRequest, tokens: list[str]) -> str:
    """Return a short digest of the filters, so a cursor is only accepted by the search that made it."""
    described = json.dumps([request.seller_id, tokens, request.kind, request.folder_id, request.created_on,
                            request.created_from, request.created_to])
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def encode_cursor(media: MediaRecord, digest: str) -> str:
    payload = {"t": media.created_at.isoformat(), "i": str(media.id), "s": digest}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, digest: str) -> tuple[datetime, uuid.UUID]:
    """Return the keyset position a cursor contains; INVALID_ARGUMENT on "cursor" for anything else."""
    bad = _invalid("cursor", "The cursor is invalid or belongs to another search: start again from the first"
                   " page with an empty cursor.", "must be the next_cursor of the previous page of this search")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        if not isinstance(payload, dict) or set(payload) != _CURSOR_KEYS or payload["s"] != digest:
            raise bad
        created_at = datetime.fromisoformat(payload["t"])
        media_id = uuid.UUID(payload["i"])
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise bad from None
    if created_at.tzinfo is None:
        raise bad
    return created_at, media_id


class MediaSearch:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def search(self, request: SearchRequest) -> tuple[list[MediaRecord], str]:
        """Return one page of matches and the cursor of the next page ("" on the last page)."""
        seller_id = seller_id_of(request.seller_id)
        tokens = _tokens_of(request.query)
        created_from, created_before = _date_bounds(request)
        limit = _limit_of(request.limit)
        folder_id = folder_id_of(request.folder_id) if request.folder_id else None
        digest = _search_digest(request, tokens)
        after = decode_cursor(request.cursor, digest) if request.cursor else None
        search = media_rows.SearchFilter(
            seller_id=seller_id,
            name_tokens=tokens,
            kind=request.kind,
            folder_id=folder_id,
            created_from=created_from,
            created_before=created_before,
            after=after,
        )
        with self._pool.connection() as connection:
            rows = media_rows.search_media(connection, search, limit + 1)
        page = rows[:limit]
        next_cursor = encode_cursor(page[-1], digest) if len(rows) > limit else ""
        return page, next_cursor
