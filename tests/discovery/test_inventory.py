"""``discover`` on a realistic service repository: every area found, nothing a file says can stop it."""

from __future__ import annotations

import pytest

from flowops.discovery.inventory import discover, discover_project
from tests.support.evidence import copy_shop
from tests.test_safeyaml import billion_laughs


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    return copy_shop(tmp_path_factory.mktemp("shop") / "repo")


@pytest.fixture(scope="module")
def inventory(shop):
    return discover(shop)


def test_workloads_of_multi_document_manifests_are_listed_with_kind_name_namespace_path_and_line(inventory):
    assert [w.to_dict() for w in inventory.workloads] == [
        {"kind": "CronJob", "name": "sales-report", "namespace": "batch", "apiVersion": "batch/v1",
         "path": "deploy/batch.yaml", "line": 7},
        {"kind": "Deployment", "name": "frontend", "namespace": "shop", "apiVersion": "apps/v1",
         "path": "deploy/shop.yaml", "line": 9},
        {"kind": "Deployment", "name": "checkout", "namespace": "shop", "apiVersion": "apps/v1",
         "path": "deploy/shop.yaml", "line": 51},
        {"kind": "StatefulSet", "name": "cart-db", "namespace": "shop", "apiVersion": "apps/v1",
         "path": "deploy/shop.yaml", "line": 88},
        {"kind": "Deployment", "name": "payments", "namespace": "payments", "apiVersion": "apps/v1",
         "path": "k8s/base/deployment.yaml", "line": 1},
    ]


def test_other_objects_are_listed_and_a_kustomize_patch_is_marked_not_taken_for_a_workload(inventory):
    objects = {(o.kind, o.name): o for o in inventory.objects}
    assert {("HorizontalPodAutoscaler", "checkout"), ("NetworkPolicy", "default-deny-ingress"),
            ("ClusterRoleBinding", "sales-report-admin"), ("PrometheusRule", "checkout-slo")} <= set(objects)
    patch = objects[("Deployment", "payments")]
    assert patch.patch and patch.path == "k8s/overlays/prod/payments-resources.yaml"
    assert not any(o.kind == "Kustomization" for o in inventory.manifests)


def test_kustomizations_and_helm_charts_are_folders_and_chart_templates_are_never_parsed(inventory):
    assert [k.to_dict() for k in inventory.kustomizations] == [
        {"path": "k8s/base", "file": "k8s/base/kustomization.yaml", "patches": []},
        {"path": "k8s/overlays/prod", "file": "k8s/overlays/prod/kustomization.yaml",
         "patches": ["k8s/overlays/prod/payments-resources.yaml"]},
    ]
    assert [c.to_dict() for c in inventory.charts] == [
        {"path": "charts/shop", "file": "charts/shop/Chart.yaml", "name": "shop", "version": "0.7.2"}]
    assert not any(m.path.startswith("charts/") for m in inventory.manifests)
    assert inventory.problems == []  # the {{ }} of the templates caused none


def test_alerts_of_prometheusrule_resources_and_rule_files_with_severity_line_and_group(inventory):
    alerts = [(a.name, a.severity, a.source, a.line, a.group) for a in inventory.alerts]
    assert alerts == [
        ("CheckoutErrorBudgetBurn", "critical", "monitoring/prometheus-rules.yaml", 17, "checkout-availability"),
        ("CheckoutErrorBudgetBurn", "warning", "monitoring/prometheus-rules.yaml", 25, "checkout-availability"),
        ("CheckoutLatencyHigh", "warning", "monitoring/prometheus-rules.yaml", 43, "checkout-latency"),
        ("CheckoutLatencyHigh", "critical", "monitoring/prometheus-rules.yaml", 50, "checkout-latency"),
        ("NodeFilesystemAlmostFull", "warning", "monitoring/rules/node.rules.yml", 9, "node-alerts"),
        ("NodeDown", None, "monitoring/rules/node.rules.yml", 18, "node-alerts"),
    ]
    assert inventory.alert_files == ["monitoring/prometheus-rules.yaml", "monitoring/rules/node.rules.yml"]


def test_ci_containers_slos_and_dashboards(inventory):
    assert [c.to_dict() for c in inventory.ci] == [
        {"path": ".github/workflows/ci.yml", "system": "github-actions", "jobs": ["test", "image"]},
        {"path": ".github/workflows/release.yml", "system": "github-actions", "jobs": ["publish", "notify"]},
    ]
    assert inventory.containers == [
        {"path": "Dockerfile", "from": ["python:3.12-slim", "gcr.io/distroless/python3-debian12:nonroot"]},
        {"path": "services/worker/worker.Dockerfile", "from": ["golang:1.23", "gcr.io/distroless/static-debian12"]},
    ]
    # Read by the reader `flowops slo` uses: objectives in percent whatever the format, ids, alert names.
    assert [(s["format"], s["id"], s["objective"], s["alerts"]) for s in inventory.to_dict()["slos"]] == [
        ("sloth", "checkout-requests-availability", 99.9, ["CheckoutHighErrorRate"]),
        ("sloth", "checkout-requests-latency", 99, ["CheckoutSlowRequests"]),
        ("openslo", "frontend-frontend-availability", 99.5, ["FrontendAvailabilityBudgetBurn"]),
    ]
    assert inventory.slo_files == ["slo/checkout.sloth.yaml", "slo/frontend.openslo.yaml"]
    assert not any(m.api_version.startswith("openslo/") for m in inventory.manifests)
    assert [d.to_dict() for d in inventory.dashboards] == [
        {"path": "dashboards/checkout.json", "title": "Checkout service", "uid": "checkout-golden", "panels": 5}]


def test_the_json_document_has_the_documented_shape(inventory, shop):
    data = inventory.to_dict()
    assert (data["schemaVersion"], data["kind"], data["root"]) == (1, "discover", str(shop))
    assert set(data) >= {"ci", "containers", "kubernetes", "alerts", "slos", "dashboards", "runbooks"}
    assert set(data["kubernetes"]) == {"workloads", "objects", "kustomizations", "charts"}
    assert set(data["alerts"][0]) >= {"name", "severity", "path", "line", "group"}


def test_hostile_and_broken_files_are_problems_and_the_rest_is_still_found(tmp_path):
    root = copy_shop(tmp_path / "repo")
    (root / "deploy" / "bomb.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n" + billion_laughs())
    (root / "deploy" / "broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
    (root / "deploy" / "templated.yaml").write_text(
        'apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    {{- include "shop.labels" . | nindent 4 }}\n')
    (root / "dashboards" / "broken.json").write_text('{"panels": [')
    inventory = discover(root)
    problems = {p.path: p.message for p in inventory.problems}
    assert "alias expansion" in problems["deploy/bomb.yaml"]
    assert problems["deploy/broken.yaml"].startswith("invalid YAML")
    assert problems["deploy/templated.yaml"].startswith("invalid YAML")
    assert problems["dashboards/broken.json"].startswith("invalid JSON")
    assert len(inventory.workloads) == 5


def test_a_broken_rule_file_is_kept_with_its_problem_and_its_alerts_are_not_guessed(tmp_path):
    root = copy_shop(tmp_path / "repo")
    (root / "monitoring" / "bad.rules.yml").write_text("groups:\n  - name: g\n    rules:\n      - expr: up == 0\n")
    inventory = discover(root)
    (bad,) = [s for s in inventory.rule_sources if s.path == "monitoring/bad.rules.yml"]
    assert bad.alerts == [] and "neither 'alert' nor 'record'" in bad.problem.message and bad.problem.line == 4


def test_runbook_documents_are_found_in_the_backlog_and_judged(tmp_path, flowops, repo):
    copy_shop(repo)
    assert flowops("init").exit_code == 0
    assert flowops("task create Checkout -l workflow:Validated").exit_code == 0
    assert flowops("operate 1 --alerts monitoring/rules/node.rules.yml").exit_code == 0
    from flowops.backlog.store import Backlog
    from flowops.project import Project

    inventory = discover(repo, skip=["backlog"], backlog=Backlog(Project(repo)))
    assert sorted((r["key"], r["filled"], r["alertDiscovered"]) for r in inventory.runbooks) == [
        # operate read the shop's SLO specs too: their alerts got runbooks, which plain discovery
        # (no project, so no SLO alerts standing in) does not match to an alert rule.
        ("ops:runbook:checkout-high-error-rate", False, False), ("ops:runbook:checkout-slow-requests", False, False),
        ("ops:runbook:frontend-availability-budget-burn", False, False),
        ("ops:runbook:node-down", False, True), ("ops:runbook:node-filesystem-almost-full", False, True)]
    # For a project, the SLO specs' alerts count as discovered alerts.
    project = Project(repo)
    inventory = discover_project(project, Backlog(project))
    assert all(r["alertDiscovered"] for r in inventory.runbooks) and len(inventory.runbooks) == 5
