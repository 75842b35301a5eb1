"""The container path cannot be built here (no Docker engine), so it is validated instead."""

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["migrate", "web", "grpc", "relay"]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([hadolint, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is installed by .ci/run")
def compose_config(**env: str) -> subprocess.CompletedProcess:
    secrets = {"SECRET_KEY", "API_KEY", "MINIO_ROOT_PASSWORD"}
    environment = {key: value for key, value in os.environ.items() if key not in secrets} | env
    return subprocess.run(
        ["docker-compose", "--env-file", str(ROOT / "tests/delivery/empty.env"), "config", "-q"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is installed by .ci/run")
def test_compose_file_is_valid():
    result = compose_config(SECRET_KEY="x" * 50, API_KEY="y" * 24, MINIO_ROOT_PASSWORD="z" * 24)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is installed by .ci/run")
@pytest.mark.parametrize("missing", ["SECRET_KEY", "API_KEY", "MINIO_ROOT_PASSWORD"])
def test_compose_has_no_published_secrets_to_fall_back_on(missing):
    given = {"SECRET_KEY": "x" * 50, "API_KEY": "y" * 24, "MINIO_ROOT_PASSWORD": "z" * 24}
    result = compose_config(**{name: value for name, value in given.items() if name != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_compose_has_every_service():
    assert set(SERVICES) == {
        "db",
        "redis",
        "rabbitmq",
        "minio",
        "minio-init",
        "migrate",
        "web",
        "grpc",
        "relay",
        "proxy",
    }


@pytest.mark.parametrize(("service", "port"), [("proxy", "80"), ("grpc", "50051"), ("rabbitmq", "15672")])
def test_published_ports(service, port):
    assert any(mapping.endswith(f":{port}") for mapping in SERVICES[service]["ports"])


@pytest.mark.parametrize("service", ["db", "redis", "rabbitmq", "proxy"])
def test_long_running_infrastructure_has_a_healthcheck(service):
    assert SERVICES[service]["healthcheck"]["test"]


@pytest.mark.parametrize(
    ("service", "port", "probe"),
    [("web", "8000", "/health"), ("grpc", "50051", "grpc_service.healthcheck"), ("relay", None, "relay_healthcheck")],
)
def test_each_process_has_its_own_target_with_command_healthcheck_and_port(service, port, probe):
    target = target_of(service)
    assert target == service
    assert SERVICES[service]["image"].endswith(f":{target}")
    assert probe in stage_instruction(target, "HEALTHCHECK")
    assert stage_instruction(target, "EXPOSE") == port
    assert "command" not in SERVICES[service]  # the target's CMD runs
    assert "healthcheck" not in SERVICES[service]  # the target's HEALTHCHECK applies


def test_dockerfile_healthcheck_covers_web_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "HEALTHCHECK" in dockerfile
    assert "/health" in dockerfile
    assert "\nUSER " in dockerfile
    assert "FROM python:3.12-slim AS runtime" in dockerfile
    assert list(STAGES)[-1] == "web"  # `docker build .` without a target builds the API


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_wait_for_their_dependencies(service):
    conditions = {name: dep["condition"] for name, dep in SERVICES[service]["depends_on"].items()}
    if service == "migrate":
        assert conditions["db"] == "service_healthy"
    else:
        assert conditions["migrate"] == "service_completed_successfully"


def dockerfile_stages() -> dict[str, list[str]]:
    """The instruction lines of each named stage of the Dockerfile (continuation lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("FROM "):
            current = stages.setdefault(line.split(" AS ")[-1].strip(), [])
        elif line.strip() and not line.startswith("#"):
            current.append(line.strip())
    return stages


STAGES = dockerfile_stages()


def target_of(service: str) -> str:
    build = SERVICES[service]["build"]
    return build["target"]


def stage_instruction(stage: str, name: str) -> str | None:
    return next((line.split(" ", 1)[1] for line in STAGES[stage] if line.startswith(f"{name} ")), None)


def compose_commands(service: str) -> list[str]:
    command = SERVICES[service].get("command") or json.loads(stage_instruction(target_of(service), "CMD"))
    if command[:2] == ["sh", "-c"]:
        return [part.strip() for part in command[2].split("&&")]
    return [shlex.join(command)]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_manage_py_command_in_compose_exists(service):
    known = get_commands()
    for command in compose_commands(service):
        words = shlex.split(command)
        if words[:2] == ["python", "manage.py"]:
            assert words[2] in known, f"{service} runs unknown command {words[2]}"


@pytest.mark.parametrize("process", ["web", "grpc", "relay"])
def test_procfile_and_compose_run_the_same_processes(process):
    assert compose_commands(process) == [procfile()[process]]


def test_python_modules_run_by_compose_exist():
    for service in APP_SERVICES:
        for command in compose_commands(service):
            words = shlex.split(command)
            if words[:2] == ["python", "-m"]:
                assert (ROOT / words[2].replace(".", "/") / "__main__.py").exists() or (
                    ROOT / (words[2].replace(".", "/") + ".py")
                ).exists()


def test_nginx_buffers_requests_and_serves_static_and_the_photos_bucket():
    conf = (ROOT / "config/nginx/default.conf").read_text()
    assert "location /media/" in conf
    assert "proxy_pass http://minio:9000/pets/" in conf
    assert "location /static/" in conf
    assert "proxy_pass http://web" in conf
    assert "proxy_request_buffering off" not in conf  # whole requests are read before gunicorn sees them
    assert "client_body_timeout" in conf
    assert "static:/srv/static:ro" in SERVICES["proxy"]["volumes"]


def test_photos_live_in_minio_shared_by_every_instance():
    environment = COMPOSE["x-app"]["environment"]
    assert environment["MEDIA_STORAGE"] == "s3"
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "mc mb --ignore-existing local/pets" in SERVICES["minio-init"]["entrypoint"][-1]
    assert SERVICES["migrate"]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_compose_runs_with_debug_off_by_default():
    assert COMPOSE["x-app"]["environment"]["DEBUG"] == "${DEBUG:-0}"
    assert SERVICES["web"]["environment"]["SERVE_MEDIA"] == "0"


def test_dockerignore_keeps_local_state_out():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "media"} <= set(ignored)


def test_the_cache_redis_is_bounded_and_evicts():
    command = SERVICES["redis"]["command"]
    assert command[command.index("--maxmemory") + 1] == "256mb"
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"
