"""The Kubernetes manifests render with kustomize and validate strictly against the Kubernetes schema."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed: the manifests cannot be rendered")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> tuple[Path, list[dict]]:
    result = subprocess.run(
        [KUBECTL, "kustomize", str(ROOT / "deploy/k8s")], capture_output=True, text=True, check=True, timeout=60
    )
    path = tmp_path_factory.mktemp("k8s") / "rendered.yaml"
    path.write_text(result.stdout)
    return path, [document for document in yaml.safe_load_all(result.stdout) if document]


def by_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {document["metadata"]["name"]: document for document in documents if document["kind"] == kind}


def test_manifests_pass_strict_schema_validation(rendered):
    path, _ = rendered
    validate = Path(sys.executable).parent / "kubernetes-validate"
    result = subprocess.run([validate, "--strict", "--quiet", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_process_is_deployed_with_probes_resources_and_a_non_root_user(rendered):
    _, documents = rendered
    deployments = by_kind(documents, "Deployment")
    assert set(deployments) == {"web", "grpc", "relay"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        (container,) = pod["containers"]
        assert container["image"] == f"books-pets-deals-waste-{name}:latest"
        assert {"readinessProbe", "livenessProbe"} <= set(container), name
        assert {"requests", "limits"} <= set(container["resources"]), name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
    web = deployments["web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert web["livenessProbe"]["httpGet"]["path"] == "/health"
    assert deployments["grpc"]["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["grpc"]["port"] == 50051


def test_web_scales_on_cpu_and_keeps_one_pod_through_disruptions(rendered):
    _, documents = rendered
    autoscaler = by_kind(documents, "HorizontalPodAutoscaler")["web"]
    assert autoscaler["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert by_kind(documents, "PodDisruptionBudget")["web"]["spec"]["minAvailable"] == 1


def test_migrations_run_as_a_job_and_configuration_is_split_from_secrets(rendered):
    _, documents = rendered
    assert "migrate" in by_kind(documents, "Job")
    assert "SECRET_KEY" in by_kind(documents, "Secret")["app-secrets"]["stringData"]
    config = by_kind(documents, "ConfigMap")["app-config"]["data"]
    assert config["DEBUG"] == "0"
    assert "SECRET_KEY" not in config
    assert {"web", "grpc"} <= set(by_kind(documents, "Service"))
    assert "web" in by_kind(documents, "Ingress")
