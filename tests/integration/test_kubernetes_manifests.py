"""deploy/kubernetes: every manifest is valid against the Kubernetes API schemas of a stated version
(kubernetes-validate's bundled JSON schemas, offline, strict: an unknown field fails), and the
set has the shape of docker-compose.yml: two API replicas probed on /health/ready and
/health/live behind a Service and an Ingress, two workers, a migrate Job, PgBouncer (Deployment
and Service) in front of an external PostgreSQL and its standby (ExternalName Services), settings
from a ConfigMap, secrets only by reference to the Secret `cxledger-secrets`, and only the
product's own settings and CLI commands. No cluster is needed."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from infrastructure.audit_keys import new_audit_key_text
from infrastructure.cli import COMMANDS, build_parser
from infrastructure.crypto import new_master_key_text
from infrastructure.secret_files import FROM_FILES
from infrastructure.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33.0"
"""The Kubernetes version the manifests are checked against (the README says so too)."""
SECRET = "cxledger-secrets"
SETTINGS_CONFIG_MAP = "cxledger-settings"
SECRET_FILES = {
    "CXL_MASTER_KEY_FILE": "master-key",
    "CXL_JWT_SECRET_FILE": "jwt-secret",
    "CXL_AUDIT_KEY_FILE": "audit-key",
}
"""The keys each app workload reads from the mounted Secret, and their keys in it."""
# $(NAME): Kubernetes' expansion of a variable defined earlier in the container's env.
DEPENDENT_VARIABLE = re.compile(r"\$\((\w+)\)")


def manifest_files() -> list[Path]:
    return sorted(MANIFESTS.glob("*.yaml"))


def resources() -> list[dict[str, Any]]:
    return [
        document
        for path in manifest_files()
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def named(kind: str, name: str) -> dict[str, Any]:
    found = [r for r in resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def validate(resource: dict[str, Any]) -> None:
    """Raise unless ``resource`` is valid, strictly, for KUBERNETES_VERSION.

    A kind without a schema (a typo, a custom resource) fails too, rather than passing unseen.
    """
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = resource["spec"]["template"]["spec"]
    return spec


def container(resource: dict[str, Any]) -> dict[str, Any]:
    containers = pod_spec(resource)["containers"]
    assert len(containers) == 1
    found: dict[str, Any] = containers[0]
    return found


def env_entries(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container(resource).get("env", [])}


def config_map_settings() -> dict[str, str]:
    return {str(k): str(v) for k, v in named("ConfigMap", SETTINGS_CONFIG_MAP)["data"].items()}


def mounted_secret_files(resource: dict[str, Any]) -> dict[str, str]:
    """Path in the container -> key of `cxledger-secrets`, for each file the pod mounts."""
    volumes = {v["name"]: v for v in pod_spec(resource).get("volumes", [])}
    files = {}
    for mount in container(resource).get("volumeMounts", []):
        secret = volumes[mount["name"]]["secret"]
        assert secret["secretName"] == SECRET
        for item in secret["items"]:
            files[f"{mount['mountPath']}/{item['path']}"] = item["key"]
    return files


def environment(resource: dict[str, Any], secret_values: dict[str, str]) -> dict[str, str]:
    """The container's environment as Kubernetes would build it, secrets given (the _FILE
    variables name the mounted files, not their content)."""
    env = {}
    for source in container(resource).get("envFrom", []):
        assert source["configMapRef"]["name"] == SETTINGS_CONFIG_MAP
        env.update(config_map_settings())
    for name, entry in env_entries(resource).items():
        if "value" in entry:
            env[name] = DEPENDENT_VARIABLE.sub(lambda m: env[m.group(1)], entry["value"])
        else:
            env[name] = secret_values[entry["valueFrom"]["secretKeyRef"]["key"]]
    return env


def app_workloads() -> dict[str, dict[str, Any]]:
    return {
        "api": named("Deployment", "cxledger-api"),
        "worker": named("Deployment", "cxledger-worker"),
        "migrate": named("Job", "cxledger-migrate"),
    }


def secret_values() -> dict[str, str]:
    return {
        "master-key": new_master_key_text(),
        "audit-key": new_audit_key_text(),
        "jwt-secret": "j" * 40,
        "runtime-password": "runtime0password",
        "owner-password": "owner0password",
    }


def host_and_port(url: str) -> tuple[str | None, int | None]:
    parts = urlsplit(DEPENDENT_VARIABLE.sub("variable", url))
    return parts.hostname, parts.port


@pytest.mark.parametrize("path", manifest_files(), ids=lambda path: path.name)
def test_manifest_is_valid_for_the_stated_kubernetes_version(path: Path) -> None:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert documents, f"{path.name} holds no resource"
    for document in documents:
        validate(document)


def test_a_manifest_with_a_wrongly_typed_field_fails_validation() -> None:
    text = (MANIFESTS / "api.yaml").read_text().replace("replicas: 2", 'replicas: "two"', 1)
    broken = next(yaml.safe_load_all(text))
    assert broken["spec"]["replicas"] == "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


def test_a_manifest_with_an_unknown_field_fails_strict_validation() -> None:
    broken = yaml.safe_load(
        """
apiVersion: v1
kind: Service
metadata:
  name: cxledger-api
spec:
  selector:
    app.kubernetes.io/name: cxledger-api
  prots:
    - port: 80
"""
    )
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


def test_a_resource_of_an_unknown_kind_fails_rather_than_passing_unchecked() -> None:
    unknown = {"apiVersion": "apps/v1", "kind": "Deploymnet", "metadata": {"name": "x"}}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate(unknown)


@pytest.mark.parametrize("name", ["cxledger-api", "cxledger-worker"])
def test_api_and_worker_run_two_replicas(name: str) -> None:
    assert named("Deployment", name)["spec"]["replicas"] == 2


@pytest.mark.parametrize(
    ("probe", "path"), [("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")]
)
def test_the_api_is_ready_and_live_by_its_probe_endpoints(probe: str, path: str) -> None:
    """Liveness never touches the database, so an outage takes pods out, never restarts them."""
    api = container(named("Deployment", "cxledger-api"))
    port = {p["name"]: p["containerPort"] for p in api["ports"]}
    check = api[probe]["httpGet"]
    assert check["path"] == path
    assert port[check["port"]] == 8000


def test_the_worker_is_ready_and_live_by_its_listener_session() -> None:
    """It serves no HTTP: the probes run the image's worker_listening.py."""
    worker = container(named("Deployment", "cxledger-worker"))
    for probe in ("readinessProbe", "livenessProbe"):
        command = worker[probe]["exec"]["command"]
        assert command[0] == "python"
        script = Path(command[1])
        assert (ROOT / script.relative_to("/app")).is_file()


def test_every_workload_runs_a_cli_command_of_the_product() -> None:
    expected = {"api": "serve", "worker": "project", "migrate": "migrate"}
    for name, workload in app_workloads().items():
        argv = container(workload)["args"]
        assert argv[0] == expected[name] and argv[0] in COMMANDS
        assert build_parser().parse_args(argv).command == argv[0]


def test_every_cxl_variable_is_a_setting() -> None:
    known = {f"CXL_{field.upper()}" for field in Settings.model_fields}
    known |= {f"CXL_{name.upper()}_FILE" for name in FROM_FILES}
    used = set(config_map_settings())
    for workload in app_workloads().values():
        used |= set(env_entries(workload))
    cxl = {name for name in used if name.startswith("CXL_")}
    assert cxl and cxl <= known, cxl - known


def test_no_secret_is_written_in_the_manifests() -> None:
    """Secrets come from `cxledger-secrets` by reference; no manifest is a Secret."""
    assert not [r for r in resources() if r["kind"] == "Secret"]
    for name, workload in app_workloads().items():
        env = env_entries(workload)
        files = mounted_secret_files(workload)
        for setting, key in SECRET_FILES.items():
            assert files[env[setting]["value"]] == key, (name, setting)
            assert setting.removesuffix("_FILE") not in env, f"{name}: the key in the environment"
        for entry in env.values():
            if "valueFrom" in entry:
                assert entry["valueFrom"]["secretKeyRef"]["name"] == SECRET
            elif entry["name"].endswith("DATABASE_URL"):
                password = entry["value"].split("://", 1)[1].rpartition("@")[0].partition(":")[2]
                referenced = DEPENDENT_VARIABLE.fullmatch(password)
                assert referenced, f"{name}: {entry['name']} has a literal password"
                assert "secretKeyRef" in env[referenced.group(1)]["valueFrom"]
    pgbouncer = env_entries(named("Deployment", "pgbouncer"))
    assert pgbouncer["CXLEDGER_RUNTIME_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == SECRET


@pytest.mark.parametrize("name", ["api", "worker", "migrate"])
def test_workload_environment_loads_as_production_settings(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The mounted files are written where the pod would see them, under tmp_path."""
    workload = app_workloads()[name]
    secrets = secret_values()
    env = environment(workload, secrets)
    for variable in [v for v in os.environ if v.startswith("CXL_")]:
        monkeypatch.delenv(variable)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    for path, key in mounted_secret_files(workload).items():
        local = tmp_path / path.lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(secrets[key] + "\n")
        for variable in [v for v, value in env.items() if value == path]:
            monkeypatch.setenv(variable, str(local))
    settings = load_settings()
    assert settings.environment == "production"
    assert settings.database_url is not None
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == secrets["jwt-secret"]


def test_api_and_worker_go_through_pgbouncer_and_the_api_reads_from_the_standby() -> None:
    api, worker = (env_entries(named("Deployment", n)) for n in ("cxledger-api", "cxledger-worker"))
    for env in (api, worker):
        assert host_and_port(env["CXL_DATABASE_URL"]["value"]) == ("pgbouncer", 6432)
        assert host_and_port(env["CXL_DIRECT_DATABASE_URL"]["value"]) == ("postgres", 5432)
        assert "CXL_MIGRATION_DATABASE_URL" not in env
    assert host_and_port(api["CXL_READ_DATABASE_URL"]["value"]) == ("postgres-replica", 5432)
    assert "CXL_READ_DATABASE_URL" not in worker
    assert env_entries(named("Deployment", "cxledger-api"))["CXL_RUN_PROJECTIONS"]["value"] == (
        "false"
    )


def test_pgbouncer_is_a_deployment_behind_a_service_on_the_port_the_urls_name() -> None:
    deployment = named("Deployment", "pgbouncer")
    service = named("Service", "pgbouncer")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert [p["port"] for p in service["spec"]["ports"]] == [6432]
    assert container(deployment)["image"].startswith("cxledger-pgbouncer:")
    assert "readinessProbe" in container(deployment) and "livenessProbe" in container(deployment)


def test_postgresql_is_external_primary_and_standby_by_name() -> None:
    for name in ("postgres", "postgres-replica"):
        assert named("Service", name)["spec"]["type"] == "ExternalName"


def test_the_ingress_routes_to_the_api_service_which_selects_the_api_pods() -> None:
    service = named("Service", "cxledger-api")
    pods = named("Deployment", "cxledger-api")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pods.items()
    ingress = named("Ingress", "cxledger")
    backends = [
        path["backend"]["service"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert backends == [{"name": "cxledger-api", "port": {"name": "http"}}]
    # Quiet subscriptions (WebSockets on /graphql) stay open longer than the default 60 s.
    timeout = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]
    assert int(timeout) >= 3600


def test_only_the_migrate_job_has_the_owners_url() -> None:
    job = named("Job", "cxledger-migrate")
    env = env_entries(job)
    assert host_and_port(env["CXL_MIGRATION_DATABASE_URL"]["value"]) == ("postgres", 5432)
    assert host_and_port(env["CXL_DATABASE_URL"]["value"]) == ("postgres", 5432)
    assert pod_spec(job)["restartPolicy"] in ("OnFailure", "Never")


def test_every_pod_runs_as_a_non_root_user() -> None:
    for resource in resources():
        if resource["kind"] in ("Deployment", "Job"):
            assert pod_spec(resource)["securityContext"]["runAsNonRoot"] is True
            assert container(resource)["securityContext"]["allowPrivilegeEscalation"] is False
