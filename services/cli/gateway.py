"""HTTP calls to the gateway, with its failures turned into messages a user can act on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import httpx

from services.cli.config import API_KEY_VARIABLE, URL_VARIABLE, Connection
from services.cli.errors import CliError

USER_AGENT = "mediacenter-cli/1"


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """Return the response's problem details (RFC 9457) object, or {} when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def problem_detail(response: httpx.Response) -> str:
    """Return the most specific text the gateway gave for a failed response."""
    problem = problem_of(response)
    for key in ("detail", "title"):
        value = problem.get(key)
        if isinstance(value, str) and value:
            return value
    text = response.text.strip()
    if text and len(text) <= 300 and "<" not in text:
        return text
    return response.reason_phrase or f"HTTP {response.status_code}"


def problem_errors(response: httpx.Response) -> list[dict[str, Any]]:
    """Return the `errors` list of a problem body (one entry per broken rule), or []."""
    errors = problem_of(response).get("errors")
    if not isinstance(errors, list):
        return []
    return [entry for entry in errors if isinstance(entry, dict)]


def describe_http_failure(response: httpx.Response, key_source: str = "") -> str:
    """Turn a failed response into one message that names what failed and what to do."""
    detail = problem_detail(response).rstrip(".")
    status = response.status_code
    if status in (401, 403):
        server = f"{response.request.url.scheme}://{response.request.url.netloc.decode('ascii')}"
        source = f" from {key_source}" if key_source else ""
        return (
            f"The Media Center at {server} rejected the API key{source}: {detail}. If that is not your "
            f"Media Center, pass its address with --url or {URL_VARIABLE}. Otherwise pass a valid key with "
            f"--api-key or {API_KEY_VARIABLE}; an operator creates one with `mediacenter seller create NAME` "
            "or `mediacenter key create SELLER_ID`."
        )
    if status == 503:
        retry_after = response.headers.get("Retry-After")
        when = f" in {retry_after} s" if retry_after and retry_after.isdigit() else " in a moment"
        return f"The Media Center is unavailable (HTTP 503): {detail}. Try again{when}."
    if status == 504:
        return f"The Media Center timed out (HTTP 504): {detail}. Try again."
    message = f"HTTP {status}: {detail}."
    reasons = [str(entry.get("message") or entry.get("code")) for entry in problem_errors(response)]
    invalid = problem_of(response).get("invalid_params")
    if isinstance(invalid, list):
        reasons += [
            f"{entry.get('name')}: {entry.get('reason')}" for entry in invalid if isinstance(entry, dict)
        ]
    message += "".join(f"\n  - {reason}" for reason in reasons)
    request_id = problem_of(response).get("request_id")
    if status >= 500 and request_id:
        message += f" (request id {request_id})"
    return message


def describe_transport_failure(error: httpx.TransportError, base_url: str, timeout_seconds: float) -> str:
    """Turn a connection-level failure into one message that names what to do next."""
    if isinstance(error, httpx.ConnectError):
        return f"Cannot reach the Media Center at {base_url}: is it running? Start it with `make run`."
    if isinstance(error, httpx.TimeoutException):
        return (
            f"The Media Center at {base_url} did not respond within {timeout_seconds:g} s. "
            "Try again, or allow more time with --timeout SECONDS."
        )
    return f"The connection to the Media Center at {base_url} failed: {error or type(error).__name__}. Try again."


def client_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT, "Accept": "application/json"}


class Gateway:
    """A blocking client of the gateway's HTTP API for one command."""

    def __init__(self, connection: Connection) -> None:
        self.base_url = connection.gateway_url()
        self.timeout_seconds = connection.timeout_seconds
        self.key_source = connection.api_key_source()
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=client_headers(connection.resolve_api_key()),
            timeout=httpx.Timeout(connection.timeout_seconds, connect=10.0),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; raise CliError for a transport failure or an error status."""
        try:
            response = self._client.request(method, path, params=params, json=json, headers=headers)
        except httpx.TransportError as error:
            raise CliError(describe_transport_failure(error, self.base_url, self.timeout_seconds)) from None
        if response.is_error:
            raise CliError(describe_http_failure(response, self.key_source))
        return response

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def send_json(self, method: str, path: str, body: Any) -> Any:
        response = self.request(method, path, json=body)
        return response.json() if response.content else None
