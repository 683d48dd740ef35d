"""Loading the deployment files the infra tests check: the Dockerfile, the compose file and the
Kubernetes manifests, without a container engine or a cluster."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
DOCKERFILE = REPOSITORY / "infra" / "docker" / "Dockerfile"
COMPOSE_FILE = REPOSITORY / "docker-compose.yml"
KUBERNETES_ROOT = REPOSITORY / "infra" / "k8s"
KUBERNETES_BASE = KUBERNETES_ROOT / "base"
PRODUCTION_OVERLAY = KUBERNETES_ROOT / "overlays" / "production"

# Every part that runs as its own process, container and Deployment.
GRPC_PARTS = ("validation", "storage", "catalogue", "listing")
PARTS = (*GRPC_PARTS, "gateway")


# --- Dockerfile -------------------------------------------------------------


@dataclass
class Stage:
    """One FROM block of a Dockerfile: its base, its name, and its instructions as (keyword, arguments)."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, keyword: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == keyword]


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """Split a Dockerfile into (KEYWORD, arguments), joining continuation lines and dropping comments."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_stages(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Return the global ARG defaults and the stages of a Dockerfile, in order."""
    global_arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, arguments in dockerfile_instructions(text):
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", arguments, re.IGNORECASE)
            assert match, f"Unreadable FROM line: {arguments!r}"
            stages.append(Stage(base=match.group(1), name=match.group(2)))
        elif not stages and keyword == "ARG":
            name, _, default = arguments.partition("=")
            global_arguments[name] = default
        elif stages:
            stages[-1].instructions.append((keyword, arguments))
    return global_arguments, stages


def expand_arguments(value: str, arguments: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda match: arguments.get(match.group(1), match.group(0)), value)


# --- Compose ----------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    """Return docker-compose.yml as data, with YAML anchors and merge keys resolved."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(entry.partition("=")[::2] for entry in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


# --- Kubernetes -------------------------------------------------------------


def kustomize_command() -> list[str] | None:
    """Return the command that renders a kustomization folder, or None when no tool is installed."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render_kustomization(folder: Path) -> list[dict[str, Any]]:
    """Render a kustomization with kustomize (or kubectl's built-in copy) and return its objects."""
    command = kustomize_command()
    assert command is not None, "kustomize_command() returned None: check before rendering"
    result = subprocess.run([*command, str(folder)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{' '.join(command)} {folder} failed:\n{result.stderr}"
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def load_base_without_kustomize() -> list[dict[str, Any]]:
    """Build the base's objects the simple way: its resource files plus a ConfigMap or Secret per generator.

    Used only where no kustomize tool is installed. It covers what the base uses
    (resources, configMapGenerator and secretGenerator with env files) and gives
    generated objects their plain names, without kustomize's hash suffix.
    """
    kustomization = yaml.safe_load((KUBERNETES_BASE / "kustomization.yaml").read_text())
    objects: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        objects.extend(
            document for document in yaml.safe_load_all((KUBERNETES_BASE / resource).read_text()) if document
        )
    for kind, key in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for generator in kustomization.get(key, []):
            data: dict[str, str] = {}
            for env_file in generator.get("envs", []):
                data.update(read_env_file(KUBERNETES_BASE / env_file))
            objects.append(
                {"apiVersion": "v1", "kind": kind, "metadata": {"name": generator["name"]}, "data": data}
            )
    return objects


def read_env_file(path: Path) -> dict[str, str]:
    """Read a NAME=value file as kustomize does: one pair per line, # comments and blank lines skipped."""
    pairs: dict[str, str] = {}
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, separator, value = stripped.partition("=")
        assert separator, f"{path}: line {line!r} is not NAME=value"
        pairs[name] = value
    return pairs


def objects_of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == kind}


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def container_environment_names(container: dict[str, Any], objects: list[dict[str, Any]]) -> set[str]:
    """Return every variable a container gets: its env entries and the keys of the ConfigMaps and Secrets in envFrom."""
    names = {entry["name"] for entry in container.get("env", [])}
    config_maps = objects_of_kind(objects, "ConfigMap")
    secrets = objects_of_kind(objects, "Secret")
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names.update(config_maps[source["configMapRef"]["name"]].get("data", {}))
        if "secretRef" in source:
            secret = secrets[source["secretRef"]["name"]]
            names.update(secret.get("data", {}))
            names.update(secret.get("stringData", {}))
    return names
