"""Every MEDIACENTER_* variable a part reads is set for it in docker-compose.yml and in the
Kubernetes manifests, and nothing sets a variable that the part does not read.

The variables come from the settings classes themselves (services/<part>/settings.py and
gateway/settings.py), so a setting added there fails this test until the deployment files
set it or it is added, with its reason, to an allow-list below.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from services.runtime.settings import ServiceSettings
from tests.infra.manifests import (
    KUBERNETES_BASE,
    PARTS,
    compose_environment,
    container_environment_names,
    kustomize_command,
    load_base_without_kustomize,
    load_compose,
    objects_of_kind,
    pod_spec,
    read_env_file,
    render_kustomization,
)

SETTINGS_MODULES = {part: f"services.{part}.settings" for part in PARTS if part != "gateway"}
SETTINGS_MODULES["gateway"] = "gateway.settings"

# Optional variables whose defaults suit every deployment, per part. Each needs its reason.
OPTIONAL_EVERYWHERE: dict[str, dict[str, str]] = {
    part: {"MEDIACENTER_GRPC_WORKERS": "16 server threads suit every part; CPU limits bound the work instead"}
    for part in PARTS
    if part != "gateway"
}
OPTIONAL_EVERYWHERE["storage"]["MEDIACENTER_STORAGE_ROOT"] = (
    "read by the local backend only; containers use s3"
)
OPTIONAL_EVERYWHERE["gateway"] = {
    "MEDIACENTER_DEMO_API_KEY_FILE": "the embedded run's demo key; container deployments create sellers with the CLI",
}
OPTIONAL_IN_KUBERNETES: dict[str, dict[str, str]] = {
    "storage": {"MEDIACENTER_S3_ENDPOINT_URL": "unset means AWS S3; the overlay sets it for other S3 stores"},
}


def settings_class(part: str) -> type[BaseSettings]:
    """Import the part's settings module and return the settings class it defines."""
    module_name = SETTINGS_MODULES[part]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            pytest.skip(f"{module_name} does not exist yet")
        raise
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, BaseSettings) and value.__module__ == module_name
    ]
    assert len(classes) == 1, f"{module_name} should define one settings class, found {classes}"
    return classes[0]


def variable_names(settings: type[BaseSettings]) -> set[str]:
    """Return the environment variable each field of a settings class is read from."""
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        names.add((alias or f"{prefix}{field_name}").upper())
    return names


@pytest.fixture(scope="module")
def kubernetes_objects() -> list[dict[str, Any]]:
    if kustomize_command() is None:
        return load_base_without_kustomize()
    return render_kustomization(KUBERNETES_BASE)


def common_config_names() -> set[str]:
    return set(read_env_file(KUBERNETES_BASE / "config" / "common.env"))


def kubernetes_part_names(objects: list[dict[str, Any]], part: str) -> set[str]:
    containers = pod_spec(objects_of_kind(objects, "Deployment")[part])["containers"]
    return container_environment_names(containers[0], objects)


@pytest.mark.parametrize("part", PARTS)
def test_compose_sets_every_variable(part) -> None:
    read = variable_names(settings_class(part))
    optional = set(OPTIONAL_EVERYWHERE.get(part, {}))

    configured = set(compose_environment(load_compose()["services"][part]))

    missing = read - configured - optional
    assert not missing, f"docker-compose.yml does not set {sorted(missing)} for {part}"


@pytest.mark.parametrize("part", PARTS)
def test_compose_sets_nothing_unread(part) -> None:
    read = variable_names(settings_class(part))

    configured = {
        name
        for name in compose_environment(load_compose()["services"][part])
        if name.startswith("MEDIACENTER_")
    }

    assert not configured - read, (
        f"docker-compose.yml sets {sorted(configured - read)} for {part}, which it does not read"
    )


@pytest.mark.parametrize("part", PARTS)
def test_kubernetes_sets_every_variable(kubernetes_objects, part) -> None:
    read = variable_names(settings_class(part))
    optional = set(OPTIONAL_EVERYWHERE.get(part, {})) | set(OPTIONAL_IN_KUBERNETES.get(part, {}))

    configured = kubernetes_part_names(kubernetes_objects, part)

    missing = read - configured - optional
    assert not missing, f"the Kubernetes base does not set {sorted(missing)} for {part}"


@pytest.mark.parametrize("part", PARTS)
def test_kubernetes_sets_nothing_unread(kubernetes_objects, part) -> None:
    read = variable_names(settings_class(part))

    # The shared ConfigMap reaches every part; its variables are checked against ServiceSettings below.
    configured = kubernetes_part_names(kubernetes_objects, part) - common_config_names()

    assert not configured - read, (
        f"the Kubernetes base sets {sorted(configured - read)} for {part}, which it does not read"
    )


def test_shared_config_holds_only_common_settings() -> None:
    common = common_config_names()

    assert common <= variable_names(ServiceSettings)


@pytest.mark.parametrize("part", PARTS)
def test_optional_lists_name_real_variables(part) -> None:
    read = variable_names(settings_class(part))

    listed = set(OPTIONAL_EVERYWHERE.get(part, {})) | set(OPTIONAL_IN_KUBERNETES.get(part, {}))

    assert listed <= read, f"the allow-lists for {part} name {sorted(listed - read)}, which it does not read"
