"""docker-compose.yml: valid against the Compose Specification schema, and wired the way the product needs."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from tests.infra.manifests import (
    DOCKERFILE,
    GRPC_PARTS,
    PARTS,
    compose_environment,
    dockerfile_stages,
    load_compose,
)

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def compose_validator():
    """A validator for the Compose Specification schema that check-jsonschema ships (compose-spec project)."""
    pytest.importorskip("check_jsonschema", reason="check-jsonschema ships the compose-spec schema")
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def test_compose_file_matches_specification(compose, compose_validator) -> None:
    errors = sorted(compose_validator.iter_errors(compose), key=lambda error: list(error.path))

    assert not errors, "\n".join(f"{'/'.join(map(str, error.path))}: {error.message}" for error in errors)


def test_specification_rejects_unknown_depends_on_condition(compose, compose_validator) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["catalogue"]["depends_on"]["postgres"]["condition"] = "service_ready"

    errors = list(compose_validator.iter_errors(broken))

    assert errors, "the schema accepted an unknown depends_on condition, so it is not checking anything"


def test_every_dependency_exists_and_waits_for_health(compose) -> None:
    services = compose["services"]

    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            expected = "service_completed_successfully" if dependency == "bucket-init" else "service_healthy"
            assert rule["condition"] == expected, f"{name} -> {dependency}"
            if expected == "service_healthy":
                assert "healthcheck" in services[dependency], (
                    f"{name} waits for {dependency}, which has no health check"
                )


def test_dependencies_have_no_cycle(compose) -> None:
    services = compose["services"]
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in visiting, f"dependency cycle: {' -> '.join([*path, name])}"
        if name in done:
            return
        visiting.add(name)
        for dependency in services[name].get("depends_on") or {}:
            visit(dependency, [*path, name])
        visiting.discard(name)
        done.add(name)

    for name in services:
        visit(name, [])


@pytest.mark.parametrize(
    ("part", "dependencies"),
    [
        ("storage", {"bucket-init"}),
        ("catalogue", {"postgres", "validation", "storage"}),
        ("listing", {"postgres", "catalogue"}),
        ("gateway", {"catalogue", "listing", "storage"}),
        ("bucket-init", {"minio"}),
    ],
)
def test_part_starts_after_what_it_calls(compose, part, dependencies) -> None:
    assert set(compose["services"][part]["depends_on"]) == dependencies


@pytest.mark.parametrize("part", PARTS)
def test_part_is_built_from_its_dockerfile_target(compose, part) -> None:
    _, stages = dockerfile_stages(DOCKERFILE.read_text())
    build = compose["services"][part]["build"]

    assert build["context"] == "."
    assert build["dockerfile"] == "infra/docker/Dockerfile"
    assert build["target"] == part
    assert part in {stage.name for stage in stages}


@pytest.mark.parametrize("part", GRPC_PARTS)
def test_grpc_part_container_settings(compose, part) -> None:
    environment = compose_environment(compose["services"][part])

    assert environment["MEDIACENTER_GRPC_HOST"] == "0.0.0.0"
    assert environment["MEDIACENTER_GRPC_PORT"] == "50051"
    assert environment["MEDIACENTER_METRICS_PORT"] == "9100"
    assert environment["MEDIACENTER_LOG_FORMAT"] == "json"
    assert compose["services"][part]["healthcheck"]["test"][-1] == "grpc"


def test_only_gateway_publishes_a_port(compose) -> None:
    published = {
        name: service["ports"] for name, service in compose["services"].items() if "ports" in service
    }

    assert published == {"gateway": ["${MEDIACENTER_HTTP_PORT:-8080}:8080"]}


def test_storage_uses_minio_bucket_made_by_init(compose) -> None:
    services = compose["services"]
    storage = compose_environment(services["storage"])
    init = compose_environment(services["bucket-init"])

    assert storage["MEDIACENTER_STORAGE_BACKEND"] == "s3"
    assert storage["MEDIACENTER_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert storage["MEDIACENTER_S3_BUCKET"] == init["BUCKET"]
    assert storage["MEDIACENTER_S3_ACCESS_KEY_ID"] == init["MINIO_ROOT_USER"]
    assert storage["MEDIACENTER_S3_SECRET_ACCESS_KEY"] == init["MINIO_ROOT_PASSWORD"]
    assert "mc mb --ignore-existing" in services["bucket-init"]["command"][0]


def test_state_lives_in_named_volumes(compose) -> None:
    services = compose["services"]

    assert services["postgres"]["image"] == "postgres:18"
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql"]
    assert services["minio"]["volumes"] == ["minio-data:/data"]
    assert set(compose["volumes"]) == {"postgres-data", "minio-data"}
    for part in PARTS:
        assert "volumes" not in services[part], f"{part} keeps state outside PostgreSQL and the blob store"
        assert services[part]["read_only"] is True


def test_services_share_the_database(compose) -> None:
    services = compose["services"]
    postgres = compose_environment(services["postgres"])

    for part in ("catalogue", "listing"):
        url = compose_environment(services[part])["MEDIACENTER_DATABASE_URL"]
        assert url.startswith(f"postgresql://{postgres['POSTGRES_USER']}:")
        assert url.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]


def test_admin_tool_runs_only_on_request(compose) -> None:
    admin = compose["services"]["catalogue-admin"]

    assert admin["profiles"] == ["tools"]
    assert admin["build"]["target"] == "cli"
    assert compose_environment(admin)["MEDIACENTER_CATALOGUE_ADDRESS"] == "catalogue:50051"
