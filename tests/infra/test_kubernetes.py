"""Kubernetes manifests: the base and the production overlay render, match the Kubernetes schemas,
and give every part probes, limits, a disruption budget and a locked-down security context."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.infra.manifests import (
    GRPC_PARTS,
    KUBERNETES_ROOT,
    PARTS,
    kustomize_command,
    load_base_without_kustomize,
    objects_of_kind,
    pod_spec,
    render_kustomization,
)

# The oldest Kubernetes release the manifests are written for, and the newest the schema package has schemas for.
KUBERNETES_VERSIONS = ("1.30.0", "latest")
AUTOSCALED = ("gateway", "validation")
PRODUCTION_SECRET_VALUES = {
    "catalogue-database": {"MEDIACENTER_DATABASE_URL": "postgresql://catalogue:test@db.internal:5432/media"},
    "listing-database": {"MEDIACENTER_DATABASE_URL": "postgresql://listing:test@db.internal:5432/media"},
    "blob-store": {
        "MEDIACENTER_S3_ACCESS_KEY_ID": "test-id",
        "MEDIACENTER_S3_SECRET_ACCESS_KEY": "test-secret",
    },
}
needs_kustomize = pytest.mark.skipif(
    kustomize_command() is None, reason="neither kustomize nor kubectl is installed"
)


@pytest.fixture(scope="module")
def base() -> list[dict[str, Any]]:
    if kustomize_command() is None:
        return load_base_without_kustomize()
    return render_kustomization(KUBERNETES_ROOT / "base")


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Render the production overlay the way an operator does: with secrets/*.env files filled in."""
    if kustomize_command() is None:
        pytest.skip("neither kustomize nor kubectl is installed")
    copy = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(KUBERNETES_ROOT, copy)
    secrets_folder = copy / "overlays" / "production" / "secrets"
    for name, values in PRODUCTION_SECRET_VALUES.items():
        lines = [f"{key}={value}" for key, value in values.items()]
        (secrets_folder / f"{name}.env").write_text("\n".join(lines) + "\n")
    return render_kustomization(copy / "overlays" / "production")


@pytest.fixture(scope="module", params=["base", "production"])
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return request.getfixturevalue(request.param)


def deployment_container(objects: list[dict[str, Any]], part: str) -> dict[str, Any]:
    containers = pod_spec(objects_of_kind(objects, "Deployment")[part])["containers"]
    assert [container["name"] for container in containers] == [part]
    return containers[0]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_objects_match_kubernetes_schema(rendered, version) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    if version == "latest":
        version = kubernetes_validate.utils.latest_version()

    problems = []
    for item in rendered:
        try:
            kubernetes_validate.validate(item, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(
                f"{item['kind']}/{item['metadata']['name']}: {error.message} at {list(error.path)}"
            )

    assert not problems, "\n".join(problems)


def test_schema_check_rejects_misspelled_field() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "gateway"},
        "spec": {"selector": {"app": "gateway"}, "portz": [{"port": 80}]},
    }

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(service, KUBERNETES_VERSIONS[0], strict=True)


def test_every_part_has_deployment_and_service(rendered) -> None:
    deployments = objects_of_kind(rendered, "Deployment")
    services = objects_of_kind(rendered, "Service")

    assert set(deployments) == set(PARTS)
    assert set(services) == set(PARTS)
    for part in PARTS:
        pod_labels = deployments[part]["spec"]["template"]["metadata"]["labels"]
        assert selects(deployments[part]["spec"]["selector"]["matchLabels"], pod_labels)
        assert selects(services[part]["spec"]["selector"], pod_labels), f"Service {part} misses its pods"


@pytest.mark.parametrize("part", GRPC_PARTS)
def test_grpc_part_probes_grpc_health(rendered, part) -> None:
    container = deployment_container(rendered, part)

    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"] == {"port": 50051}, f"{part} {probe}"
    assert {port["containerPort"] for port in container["ports"]} == {50051, 9100}


def test_gateway_probes_http_endpoints(rendered) -> None:
    container = deployment_container(rendered, "gateway")

    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert [port["containerPort"] for port in container["ports"]] == [8080]


@pytest.mark.parametrize("part", PARTS)
def test_part_has_requests_and_limits(rendered, part) -> None:
    resources = deployment_container(rendered, part)["resources"]

    for bound in ("requests", "limits"):
        assert set(resources[bound]) == {"cpu", "memory"}, f"{part} {bound}"


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_run_unprivileged_with_read_only_root(rendered, kind) -> None:
    for name, workload in objects_of_kind(rendered, kind).items():
        spec = pod_spec(workload)
        tmp_volumes = {volume["name"] for volume in spec["volumes"] if "emptyDir" in volume}

        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"]["drop"] == ["ALL"], container["name"]
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{container['name']} has no writable /tmp"


@pytest.mark.parametrize("part", PARTS)
def test_part_has_disruption_budget(rendered, part) -> None:
    budget = objects_of_kind(rendered, "PodDisruptionBudget")[part]
    pod_labels = objects_of_kind(rendered, "Deployment")[part]["spec"]["template"]["metadata"]["labels"]

    assert selects(budget["spec"]["selector"]["matchLabels"], pod_labels)
    assert budget["spec"]["maxUnavailable"] == 1


def test_gateway_and_validation_autoscale(rendered) -> None:
    autoscalers = objects_of_kind(rendered, "HorizontalPodAutoscaler")
    deployments = objects_of_kind(rendered, "Deployment")

    assert set(autoscalers) == set(AUTOSCALED)
    for part in AUTOSCALED:
        spec = autoscalers[part]["spec"]
        assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": part}
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"]
        assert "replicas" not in deployments[part]["spec"], (
            f"{part} sets replicas, which fights its autoscaler"
        )


def test_every_referenced_config_exists(rendered) -> None:
    config_maps = objects_of_kind(rendered, "ConfigMap")
    secrets = objects_of_kind(rendered, "Secret")

    for kind in ("Deployment", "Job"):
        for workload in objects_of_kind(rendered, kind).values():
            spec = pod_spec(workload)
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                for source in container["envFrom"]:
                    if "configMapRef" in source:
                        assert source["configMapRef"]["name"] in config_maps
                    else:
                        assert source["secretRef"]["name"] in secrets


@pytest.mark.parametrize("part", ["catalogue", "listing"])
def test_migration_job_runs_each_part_like_its_deployment(rendered, part) -> None:
    job = objects_of_kind(rendered, "Job")["mediacenter-migrate"]
    spec = pod_spec(job)
    containers = {
        container["name"]: container for container in [*spec["initContainers"], *spec["containers"]]
    }
    service = deployment_container(rendered, part)

    migrate = containers[f"{part}-migrate"]

    assert migrate["command"] == ["python", "-m", f"services.{part}", "--migrate-only"]
    assert migrate["image"] == service["image"]
    assert migrate["envFrom"] == service["envFrom"]
    assert spec["restartPolicy"] == "Never"


def test_catalogue_migrates_before_listing(rendered) -> None:
    spec = pod_spec(objects_of_kind(rendered, "Job")["mediacenter-migrate"])

    assert [container["name"] for container in spec["initContainers"]] == ["catalogue-migrate"]
    assert [container["name"] for container in spec["containers"]] == ["listing-migrate"]


def test_credentials_reach_only_the_parts_that_use_them(rendered) -> None:
    secret_users: dict[str, set[str]] = {}
    for part in PARTS:
        for source in deployment_container(rendered, part)["envFrom"]:
            if "secretRef" in source:
                secret_users.setdefault(source["secretRef"]["name"].rsplit("-", 1)[0], set()).add(part)

    assert secret_users == {
        "catalogue-database": {"catalogue"},
        "listing-database": {"listing"},
        "blob-store": {"storage"},
    }


def test_base_secrets_are_marked_placeholders(base) -> None:
    for name, secret in objects_of_kind(base, "Secret").items():
        for key, value in secret["data"].items():
            plain = base64.b64decode(value).decode() if kustomize_command() else value
            assert "REPLACE_ME" in plain, f"{name}/{key} in the base looks like a real credential"


@needs_kustomize
def test_production_secrets_come_from_operator_files(production) -> None:
    secrets = {
        name.rsplit("-", 1)[0]: secret for name, secret in objects_of_kind(production, "Secret").items()
    }

    assert set(secrets) == set(PRODUCTION_SECRET_VALUES)
    for name, values in PRODUCTION_SECRET_VALUES.items():
        decoded = {key: base64.b64decode(value).decode() for key, value in secrets[name]["data"].items()}
        assert decoded == values


@needs_kustomize
def test_production_images_come_from_a_registry_with_tags(production) -> None:
    for kind in ("Deployment", "Job"):
        for workload in objects_of_kind(production, kind).values():
            spec = pod_spec(workload)
            for container in [*spec.get("initContainers", []), *spec["containers"]]:
                name, _, tag = container["image"].rpartition(":")
                assert "/" in name, f"{container['image']} names no registry"
                assert tag and tag != "latest", f"{container['image']} has no release tag"


@needs_kustomize
def test_production_lives_in_its_namespace(production) -> None:
    namespaces = objects_of_kind(production, "Namespace")

    assert set(namespaces) == {"mediacenter"}
    for item in production:
        if item["kind"] != "Namespace":
            assert item["metadata"]["namespace"] == "mediacenter", (
                f"{item['kind']}/{item['metadata']['name']}"
            )


@needs_kustomize
def test_production_runs_several_replicas_of_every_part(production) -> None:
    deployments = objects_of_kind(production, "Deployment")
    autoscalers = objects_of_kind(production, "HorizontalPodAutoscaler")

    for part in PARTS:
        replicas = (
            autoscalers[part]["spec"]["minReplicas"]
            if part in AUTOSCALED
            else deployments[part]["spec"]["replicas"]
        )
        assert replicas >= 3, f"{part} runs {replicas} replicas"


def test_overlay_keeps_real_credentials_out_of_git() -> None:
    overlay = KUBERNETES_ROOT / "overlays" / "production"
    ignored = (overlay / ".gitignore").read_text().split()

    assert "/secrets/*.env" in ignored
    examples = sorted(path.name for path in (overlay / "secrets").glob("*.env.example"))
    assert examples == [f"{name}.env.example" for name in sorted(PRODUCTION_SECRET_VALUES)]
    assert not list(Path(overlay / "secrets").glob("*.env")), "a filled-in credentials file sits in the tree"
