"""Operator commands over gRPC: sellers, API keys and the storage sweep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import grpc
from mediacenter.catalogue.v1 import catalogue_pb2, catalogue_pb2_grpc
from mediacenter.storage.v1 import storage_pb2, storage_pb2_grpc

from services.cli.config import Connection
from services.cli.errors import CliError
from services.cli.output import print_json
from services.cli.sizes import format_size
from services.runtime.clients import open_channel
from services.runtime.errors import ErrorDetails

ResponseType = TypeVar("ResponseType")

# Seconds a sweep may take: it lists and checks every blob in the store.
SWEEP_TIMEOUT_SECONDS = 600.0


@contextmanager
def _channel(name: str, address: str, timeout_seconds: float) -> Iterator[grpc.Channel]:
    try:
        channel = open_channel(address, timeout_seconds)
    except ValueError as error:
        raise CliError(f"Invalid {name} address {address!r}: {error}") from None
    with channel:
        yield channel


def _call(name: str, address: str, call: Callable[[], ResponseType]) -> ResponseType:
    """Run one RPC, turning its failure into a CliError that names the service and what to do."""
    try:
        return call()
    except grpc.RpcError as error:
        details = ErrorDetails.from_rpc_error(error)
        if details.code == grpc.StatusCode.UNAVAILABLE:
            raise CliError(
                f"Cannot reach the {name} service at {address}: is it running? Start it with `make run`."
            ) from None
        if details.code == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise CliError(f"The {name} service at {address} did not respond in time. Try again.") from None
        message = details.message.rstrip(".") or details.code.name
        violations = "".join(f"\n  - {field}: {text}" for field, text in details.field_violations)
        raise CliError(
            f"The {name} service rejected the request ({details.code.name}): {message}.{violations}"
        ) from None


def create_seller(connection: Connection, name: str, quota_bytes: int | None, as_json: bool) -> int:
    address = connection.catalogue_address()
    request = catalogue_pb2.CreateSellerRequest(name=name, quota_bytes=quota_bytes or 0)
    with _channel("catalogue", address, connection.timeout_seconds) as channel:
        stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)
        reply = _call("catalogue", address, lambda: stub.CreateSeller(request))
    if as_json:
        print_json({"seller_id": reply.seller.id, "api_key": reply.api_key})
        return 0
    print(
        f"Created seller {reply.seller.name!r}.\n"
        f"  Seller id:   {reply.seller.id}\n"
        f"  Quota:       {format_size(reply.seller.quota_bytes)} ({reply.seller.quota_bytes:,} bytes)\n"
        f"  API key:     {reply.api_key}\n"
        f"  API key id:  {reply.api_key_id} (to revoke it with `mediacenter key revoke`)\n"
        "The key is shown only once: store it now."
    )
    return 0


def set_seller_quota(connection: Connection, seller_id: str, quota_bytes: int) -> int:
    address = connection.catalogue_address()
    request = catalogue_pb2.SetSellerQuotaRequest(seller_id=seller_id, quota_bytes=quota_bytes)
    with _channel("catalogue", address, connection.timeout_seconds) as channel:
        stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)
        seller = _call("catalogue", address, lambda: stub.SetSellerQuota(request))
    print(
        f"The quota of seller {seller.id} is now {format_size(seller.quota_bytes)} ({seller.quota_bytes:,} bytes); "
        f"{format_size(seller.used_bytes)} is used."
    )
    return 0


def create_key(connection: Connection, seller_id: str, as_json: bool) -> int:
    address = connection.catalogue_address()
    request = catalogue_pb2.CreateApiKeyRequest(seller_id=seller_id)
    with _channel("catalogue", address, connection.timeout_seconds) as channel:
        stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)
        reply = _call("catalogue", address, lambda: stub.CreateApiKey(request))
    if as_json:
        print_json({"seller_id": seller_id, "api_key": reply.api_key, "api_key_id": reply.api_key_id})
        return 0
    print(
        f"Created an API key for seller {seller_id}.\n"
        f"  API key:     {reply.api_key}\n"
        f"  API key id:  {reply.api_key_id}\n"
        "The key is shown only once: store it now."
    )
    return 0


def revoke_key(connection: Connection, key_id: str) -> int:
    address = connection.catalogue_address()
    request = catalogue_pb2.RevokeApiKeyRequest(api_key_id=key_id)
    with _channel("catalogue", address, connection.timeout_seconds) as channel:
        stub = catalogue_pb2_grpc.CatalogueServiceStub(channel)
        _call("catalogue", address, lambda: stub.RevokeApiKey(request))
    print(f"Revoked the API key {key_id}; requests with it are now rejected.")
    return 0


def sweep(connection: Connection, grace_seconds: int | None, dry_run: bool, as_json: bool) -> int:
    address = connection.storage_address()
    request = storage_pb2.SweepOrphansRequest(grace_seconds=grace_seconds or 0, dry_run=dry_run)
    with _channel("storage", address, connection.timeout_seconds) as channel:
        stub = storage_pb2_grpc.StorageServiceStub(channel)
        reply = _call("storage", address, lambda: stub.SweepOrphans(request, timeout=SWEEP_TIMEOUT_SECONDS))
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "scanned": reply.scanned,
                "removed_keys": list(reply.removed_keys),
                "removed_bytes": reply.removed_bytes,
            }
        )
        return 0
    verb = "Would remove" if dry_run else "Removed"
    summary = (
        f"Scanned {reply.scanned} blobs. {verb} {len(reply.removed_keys)} that no media record points at "
        f"({format_size(reply.removed_bytes)}, {reply.removed_bytes:,} bytes)."
    )
    lines = [summary, *(f"  {key}" for key in reply.removed_keys)]
    print("\n".join(lines))
    return 0
