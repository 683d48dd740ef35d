"""Settings read once at start from environment variables with the MEDIACENTER_ prefix."""

from __future__ import annotations

import sys
from typing import Literal, TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "MEDIACENTER_"


class ServiceSettings(BaseSettings):
    """Settings every gRPC service reads. Each service extends this class with its own fields."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    # Address the gRPC server binds. Containers set 0.0.0.0.
    grpc_host: str = "127.0.0.1"
    # Port of the gRPC server; 0 picks a free port.
    grpc_port: int = 0
    # Port of the Prometheus /metrics endpoint; 0 picks a free port, -1 turns it off.
    metrics_port: int = -1
    # "auto" writes readable text on a terminal and JSON lines otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: str = "INFO"
    # Seconds that in-flight calls get to finish after SIGTERM.
    drain_seconds: float = 10.0
    # Worker threads of the gRPC server.
    grpc_workers: int = 16
    # Default deadline in seconds for calls this service makes to other services.
    call_timeout_seconds: float = 10.0


SettingsType = TypeVar("SettingsType", bound=BaseSettings)


def load_settings(settings_class: type[SettingsType], **overrides: object) -> SettingsType:
    """Build a settings object from the environment, or exit naming each missing or invalid variable."""
    try:
        return settings_class(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "?"
            variable = ENV_PREFIX + field.upper()
            if problem["type"] == "missing":
                lines.append(f"Missing required setting {variable}: set it in the environment.")
            else:
                lines.append(f"Invalid setting {variable}: {problem['msg']}.")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
