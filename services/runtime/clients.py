"""Client channels to other services: deadlines, request ids, round robin and safe retries.

Every outgoing call gets the configured deadline unless the caller sets one,
and carries the current request id. A service address may list several
replicas separated by commas; calls are spread over them round robin.
Calls to methods listed as idempotent are retried on UNAVAILABLE with
exponential backoff, and no other call is retried.
"""

from __future__ import annotations

import collections
import ipaddress
import json
import socket
from collections.abc import Iterable, Mapping, Sequence

import grpc

from services.runtime.context import REQUEST_ID_HEADER, current_request_id, new_request_id
from services.runtime.server import MAX_MESSAGE_BYTES

# Methods that are safe to send twice: reads, and writes keyed so that a repeat changes nothing.
IDEMPOTENT_METHODS: Mapping[str, Sequence[str]] = {
    "mediacenter.catalogue.v1.CatalogueService": (
        "AuthenticateApiKey",
        "GetCapacity",
        "ListFolders",
        "GetMedia",
        "BatchGetMedia",
        "SearchMedia",
        "ResolvePublicMedia",
        "FilterReferencedBlobKeys",
    ),
    "mediacenter.storage.v1.StorageService": ("GetBlob", "StatBlob", "DeleteBlob", "ListBlobs", "PresignBlob"),
    "mediacenter.validation.v1.ValidationService": ("GetPolicy",),
    "mediacenter.listing.v1.ListingService": (
        "GetListingMedia",
        "ExportMediaUrls",
        "ExportListingsCsv",
        "GetMediaUsage",
    ),
}

_RETRY_POLICY = {
    "maxAttempts": 4,
    "initialBackoff": "0.1s",
    "maxBackoff": "1s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def service_config() -> str:
    """Return the channel service config: round robin, and retries for the idempotent methods only."""
    names = [
        {"service": service, "method": method}
        for service, methods in IDEMPOTENT_METHODS.items()
        for method in methods
    ]
    config = {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [{"name": names, "retryPolicy": _RETRY_POLICY}],
    }
    return json.dumps(config)


def channel_target(addresses: str) -> str:
    """Turn "host:port[,host:port...]" into one gRPC target that spreads calls over every address."""
    parts = [part.strip() for part in addresses.split(",") if part.strip()]
    if not parts:
        raise ValueError("A service address is empty: give host:port, or several separated by commas.")
    if len(parts) == 1:
        return parts[0]
    resolved = [_resolve(part) for part in parts]
    families = {ipaddress.ip_address(host).version for host, _port in resolved}
    if families == {6}:
        return "ipv6:" + ",".join(f"[{host}]:{port}" for host, port in resolved)
    if families == {4}:
        return "ipv4:" + ",".join(f"{host}:{port}" for host, port in resolved)
    raise ValueError(f"The addresses {addresses!r} mix IPv4 and IPv6; give addresses of one family.")


def _resolve(address: str) -> tuple[str, int]:
    host, separator, port = address.rpartition(":")
    if not separator or not port.isdigit():
        raise ValueError(f"Invalid service address {address!r}: expected host:port.")
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0][4][0]
    return host, int(port)


def _channel_options() -> list[tuple[str, object]]:
    return [
        ("grpc.service_config", service_config()),
        ("grpc.enable_retries", 1),
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        # Reconnect fast after a peer restarts, so a recovered service is used again within a second or two.
        ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.max_reconnect_backoff_ms", 2000),
    ]


def _outgoing_metadata(metadata: Iterable[tuple[str, str]] | None) -> list[tuple[str, str]]:
    entries = [entry for entry in (metadata or ()) if entry[0] != REQUEST_ID_HEADER]
    entries.append((REQUEST_ID_HEADER, current_request_id() or new_request_id()))
    return entries


class _CallDetails(
    collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
    grpc.ClientCallDetails,
):
    pass


class _DeadlineAndRequestId(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds

    def _details(self, details: grpc.ClientCallDetails) -> _CallDetails:
        return _CallDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            _outgoing_metadata(details.metadata),
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._details(client_call_details), request_iterator)


def open_channel(addresses: str, timeout_seconds: float) -> grpc.Channel:
    """Open a blocking channel whose calls carry a deadline and the request id."""
    channel = grpc.insecure_channel(channel_target(addresses), options=_channel_options())
    return grpc.intercept_channel(channel, _DeadlineAndRequestId(timeout_seconds))


class _AsyncDeadlineAndRequestId(
    grpc.aio.UnaryUnaryClientInterceptor,
    grpc.aio.UnaryStreamClientInterceptor,
    grpc.aio.StreamUnaryClientInterceptor,
    grpc.aio.StreamStreamClientInterceptor,
):
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        return grpc.aio.ClientCallDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            grpc.aio.Metadata(*_outgoing_metadata(details.metadata)),
            details.credentials,
            details.wait_for_ready,
        )

    async def intercept_unary_unary(self, continuation, client_call_details, request):
        return await continuation(self._details(client_call_details), request)

    async def intercept_unary_stream(self, continuation, client_call_details, request):
        return await continuation(self._details(client_call_details), request)

    async def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return await continuation(self._details(client_call_details), request_iterator)

    async def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return await continuation(self._details(client_call_details), request_iterator)


def open_async_channel(addresses: str, timeout_seconds: float) -> grpc.aio.Channel:
    """Open an asyncio channel whose calls carry a deadline and the request id."""
    return grpc.aio.insecure_channel(
        channel_target(addresses),
        options=_channel_options(),
        interceptors=[_AsyncDeadlineAndRequestId(timeout_seconds)],
    )
