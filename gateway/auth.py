"""API key authentication: a Bearer token checked by the catalogue on every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from mediacenter.catalogue.v1 import catalogue_pb2

from gateway.errors import ApiError

# Declares the scheme in the OpenAPI document; the check itself is below, so every failure is problem+json.
bearer_scheme = HTTPBearer(auto_error=False, description="API key of a seller, created with `mediacenter seller create`.")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="mediacenter"'}
# Longer keys are not keys the catalogue makes, so they are rejected without a call.
MAX_API_KEY_LENGTH = 512


@dataclass(frozen=True)
class Seller:
    seller_id: str
    api_key_id: str


def _unauthenticated(detail: str) -> ApiError:
    return ApiError(401, "unauthenticated", "Unauthenticated", detail, headers=_CHALLENGE)


async def authenticated_seller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Seller:
    """Return the seller whose API key the request carries, or fail with 401."""
    if "authorization" not in request.headers:
        raise _unauthenticated("The Authorization header is missing. Send 'Authorization: Bearer <api key>'.")
    if credentials is None or not credentials.credentials.strip():
        raise _unauthenticated("The Authorization header is malformed. Send 'Authorization: Bearer <api key>'.")
    api_key = credentials.credentials.strip()
    if len(api_key) > MAX_API_KEY_LENGTH or not api_key.isascii() or not api_key.isprintable():
        raise _unauthenticated("The API key is not valid. Check the key, or create a new one with the CLI.")

    backends = request.app.state.backends
    response = await backends.catalogue.AuthenticateApiKey(catalogue_pb2.AuthenticateApiKeyRequest(api_key=api_key))
    return Seller(seller_id=response.seller_id, api_key_id=response.api_key_id)
