"""Lookup of the gateway URL, the API key and the gRPC addresses that commands use.

Each value comes from the first of: the command-line option, an environment
variable, then what the embedded run (`make run`) wrote into the var folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import services
from services.cli.errors import EXIT_USAGE, CliError

DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080"
URL_VARIABLE = "MEDIACENTER_URL"
API_KEY_VARIABLE = "MEDIACENTER_API_KEY"
VAR_DIR_VARIABLE = "MEDIACENTER_VAR_DIR"
CATALOGUE_VARIABLE = "MEDIACENTER_CATALOGUE_ADDRESS"
STORAGE_VARIABLE = "MEDIACENTER_STORAGE_ADDRESS"
STACK_FILE = "stack.json"
DEMO_KEY_FILE = "demo-api-key"

LOOKUP_HELP = f"""\
where the values come from (first found wins):
  gateway URL     --url, else ${URL_VARIABLE}, else "gateway_url" in VAR/{STACK_FILE},
                  else {DEFAULT_GATEWAY_URL}
  API key         --api-key, else ${API_KEY_VARIABLE}, else the file VAR/{DEMO_KEY_FILE}
  catalogue       --catalogue, else ${CATALOGUE_VARIABLE}, else "catalogue_address" in VAR/{STACK_FILE}
  storage         --storage, else ${STORAGE_VARIABLE}, else "storage_address" in VAR/{STACK_FILE}
  VAR             ${VAR_DIR_VARIABLE}, else the folder "var" at the top of the repository;
                  the embedded run (`make run`) writes {STACK_FILE} and {DEMO_KEY_FILE} there
"""


def var_dir() -> Path:
    """Return the embedded run's data folder: MEDIACENTER_VAR_DIR, else <repository>/var."""
    configured = os.environ.get(VAR_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(services.__file__).resolve().parents[1] / "var"


def _stack_value(key: str) -> str | None:
    path = var_dir() / STACK_FILE
    try:
        description = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise CliError(
            f"Cannot read {path}: {error}. Delete it and restart the embedded run with `make run`."
        )
    value = description.get(key) if isinstance(description, dict) else None
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Connection:
    """Options given on the command line; None where the user gave none."""

    url: str | None = None
    api_key: str | None = None
    catalogue: str | None = None
    storage: str | None = None
    timeout_seconds: float = 60.0

    def gateway_url(self) -> str:
        url = self.url or os.environ.get(URL_VARIABLE) or _stack_value("gateway_url") or DEFAULT_GATEWAY_URL
        if not url.startswith(("http://", "https://")):
            raise CliError(
                f"Invalid gateway URL {url!r}: it must start with http:// or https://, "
                f"for example {DEFAULT_GATEWAY_URL}.",
                EXIT_USAGE,
            )
        return url.rstrip("/")

    def resolve_api_key(self) -> str:
        key = self.api_key or os.environ.get(API_KEY_VARIABLE)
        if key:
            return key.strip()
        path = var_dir() / DEMO_KEY_FILE
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = ""
        except OSError as error:
            raise CliError(f"Cannot read the API key file {path}: {error}.")
        if not key:
            raise CliError(
                f"No API key: pass --api-key KEY, set {API_KEY_VARIABLE}, or start the embedded run "
                f"with `make run`, which writes the demo seller's key to {path}.",
                EXIT_USAGE,
            )
        return key

    def api_key_source(self) -> str:
        """Name where resolve_api_key takes the key from, for messages about a rejected key."""
        if self.api_key:
            return "--api-key"
        if os.environ.get(API_KEY_VARIABLE):
            return f"${API_KEY_VARIABLE}"
        return f"the file {var_dir() / DEMO_KEY_FILE}"

    def catalogue_address(self) -> str:
        return self._service_address("catalogue", self.catalogue, CATALOGUE_VARIABLE)

    def storage_address(self) -> str:
        return self._service_address("storage", self.storage, STORAGE_VARIABLE)

    def _service_address(self, name: str, option: str | None, variable: str) -> str:
        address = option or os.environ.get(variable) or _stack_value(f"{name}_address")
        if not address:
            raise CliError(
                f"No {name} address: pass --{name} HOST:PORT, set {variable}, or start the embedded run "
                f"with `make run`, which writes it to {var_dir() / STACK_FILE}.",
                EXIT_USAGE,
            )
        return address
