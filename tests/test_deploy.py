"""The deployment files, checked statically (there is no Docker engine or cluster here): they
parse, have what the issue asks for, and agree with Settings and the command line."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from autotriage.cli import app as cli_app
from autotriage.config import Settings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
SETTING_NAMES = {f"AUTOTRIAGE_{name.upper()}" for name in Settings.model_fields}
ENV_NAME = re.compile(r"\bAUTOTRIAGE_[A-Z0-9_]+\b")


def _commands() -> dict[str, Any]:
    # Typer's own click: commands and groups are recognised by their attributes.
    return dict(typer.main.get_command(cli_app).commands)  # type: ignore[attr-defined]


def _check_command(argv: list[str]) -> None:
    """`autotriage <command> [<sub>] [--options]` must name real commands and options."""
    words = argv[1:] if argv[0] == "autotriage" else argv
    command = _commands()[words[0]]
    for word in words[1:]:
        if word in getattr(command, "commands", {}):
            command = command.commands[word]
        elif word.startswith("--"):
            options = {o for p in command.params for o in getattr(p, "opts", [])}
            assert word in options, f"{argv}: {word} is not an option of {command.name}"


def _settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as a process with exactly this environment would build them."""
    for name in list(__import__("os").environ):
        if name.startswith("AUTOTRIAGE_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("${POSTGRES_PASSWORD:-autotriage}", "pw"))
    return Settings(_env_file=None)  # type: ignore[call-arg]


def _autotriage_env(env: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(filter(ENV_NAME.fullmatch, env)) - SETTING_NAMES)
    assert not unknown, f"not settings: {unknown}"
    return {k: str(v) for k, v in env.items() if k.startswith("AUTOTRIAGE_")}


# --- Dockerfile -------------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_non_root_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM .+ AS \w+$", text, re.M)) >= 2
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*\n?.*/health", text, re.M)
    assert re.search(r'^ENTRYPOINT \["autotriage"\]$', text, re.M)
    _check_command(["autotriage", *re.findall(r'^CMD \["(\w+)"\]$', text, re.M)])
    port = re.search(r"AUTOTRIAGE_PORT=(\d+)", text)
    assert port and re.search(rf"^EXPOSE {port.group(1)}$", text, re.M)
    assert not set(ENV_NAME.findall(text)) - SETTING_NAMES


# --- docker compose -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(document, dict)
    return document


def test_compose_has_every_service(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"autotriage", "autotriage-worker", "postgres", "redis", "mlflow",
                             "prometheus", "grafana"}
    assert services["autotriage-worker"]["deploy"]["replicas"] == 2
    assert services["autotriage"]["command"] == ["serve"]
    assert services["autotriage-worker"]["command"] == ["worker"]
    for name in ("autotriage", "autotriage-worker"):
        _check_command(services[name]["command"])
    _check_command(services["autotriage-worker"]["healthcheck"]["test"][1:])


def test_compose_settings_are_real_and_agree(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    api = _settings_from(_autotriage_env(services["autotriage"]["environment"]), monkeypatch)
    worker = _settings_from(_autotriage_env(services["autotriage-worker"]["environment"]),
                            monkeypatch)
    assert api.queue_backend == worker.queue_backend == "redis"
    assert api.embedded_workers == 0
    assert api.redis_stream == worker.redis_stream and api.redis_group == worker.redis_group
    assert f"{api.port}:{api.port}" in services["autotriage"]["ports"]
    assert api.host == "0.0.0.0"
    # The URLs name the compose services, with the database's own user and name.
    postgres = services["postgres"]["environment"]
    assert (f"{postgres['POSTGRES_USER']}:" in api.database_url
            and api.database_url.endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}"))
    assert api.redis_url.startswith("redis://redis:6379")
    assert api.mlflow_tracking_uri == "http://mlflow:5000"
    assert "--port" in services["mlflow"]["command"]
    grace = int(services["autotriage-worker"]["stop_grace_period"].rstrip("s"))
    assert worker.shutdown_grace_seconds < grace
    assert worker.worker_heartbeat_file and worker.worker_metrics_port


def test_compose_mounts_exist_and_prometheus_scrapes_the_services(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{source} is mounted but not in the repo"
    scrape = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {t for job in scrape["scrape_configs"] for c in job["static_configs"]
               for t in c["targets"]}
    services = compose["services"]
    api = _settings_from(_autotriage_env(services["autotriage"]["environment"]), monkeypatch)
    worker = _settings_from(_autotriage_env(services["autotriage-worker"]["environment"]),
                            monkeypatch)
    assert f"autotriage:{api.port}" in targets
    assert f"autotriage-worker:{worker.worker_metrics_port}" in targets


# --- Kubernetes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    objects = {}
    for name in sorted(listed):
        for doc in yaml.safe_load_all((K8S / name).read_text()):
            assert {"apiVersion", "kind", "metadata"} <= set(doc), name
            objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def _container(objects: dict[tuple[str, str], dict[str, Any]], kind: str,
               name: str) -> dict[str, Any]:
    [container] = objects[(kind, name)]["spec"]["template"]["spec"]["containers"]
    return container


def _pod_env(objects: dict[tuple[str, str], dict[str, Any]], container: dict[str, Any]
             ) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        kind, ref = ("ConfigMap", source["configMapRef"]) if "configMapRef" in source else (
            "Secret", source["secretRef"])
        document = objects[(kind, ref["name"])]
        env.update(document.get("data") or document.get("stringData") or {})
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", "pod-name")
    return _autotriage_env(env)


def test_k8s_has_the_objects_the_issue_asks_for(
    k8s: dict[tuple[str, str], dict[str, Any]],
) -> None:
    assert set(k8s) >= {
        ("Deployment", "autotriage"), ("Deployment", "autotriage-worker"),
        ("Service", "autotriage"), ("Service", "autotriage-worker"),
        ("ConfigMap", "autotriage-config"), ("Secret", "autotriage-secrets"),
        ("HorizontalPodAutoscaler", "autotriage"),
        ("HorizontalPodAutoscaler", "autotriage-worker"), ("Job", "autotriage-migrate"),
    }
    for (kind, _name), doc in k8s.items():
        if kind == "HorizontalPodAutoscaler":
            assert ("Deployment", doc["spec"]["scaleTargetRef"]["name"]) in k8s
        if kind == "Service":
            target = k8s[("Deployment", doc["metadata"]["name"])]
            labels = target["spec"]["template"]["metadata"]["labels"]
            assert doc["spec"]["selector"].items() <= labels.items()
        if kind in ("Deployment", "Job"):
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            for container in pod["containers"]:
                _check_command(container["args"])


def test_k8s_probes_ports_and_settings_agree(
    k8s: dict[tuple[str, str], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = _container(k8s, "Deployment", "autotriage")
    api_settings = _settings_from(_pod_env(k8s, api), monkeypatch)
    [port] = api["ports"]
    assert port["containerPort"] == api_settings.port and api_settings.embedded_workers == 0
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    assert api["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert api["readinessProbe"]["httpGet"]["port"] == port["name"]

    worker = _container(k8s, "Deployment", "autotriage-worker")
    worker_settings = _settings_from(_pod_env(k8s, worker), monkeypatch)
    assert worker_settings.queue_backend == "redis"
    _check_command(worker["livenessProbe"]["exec"]["command"])
    assert worker_settings.worker_heartbeat_file.startswith("/tmp/")
    assert any(m["mountPath"] == "/tmp" for m in worker["volumeMounts"])
    grace = k8s[("Deployment", "autotriage-worker")]["spec"]["template"]["spec"][
        "terminationGracePeriodSeconds"]
    assert worker_settings.shutdown_grace_seconds < grace
    [metrics] = worker["ports"]
    assert metrics["containerPort"] == worker_settings.worker_metrics_port
    service_ports = [p["port"] for p in k8s[("Service", "autotriage-worker")]["spec"]["ports"]]
    assert service_ports == [worker_settings.worker_metrics_port]


def test_the_readme_deployment_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production backends", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        if line.strip().startswith("autotriage "):
            _check_command(shlex.split(line.split("#")[0]))
