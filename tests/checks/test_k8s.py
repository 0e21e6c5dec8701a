"""The k8s.* checks on the shop repository: each names the file, line and object of every offence."""

from __future__ import annotations

from tests.checks.conftest import messages


def test_resources_names_the_container_without_limits_and_passes_a_complete_folder(check):
    result = check("k8s.resources")
    assert result.status == "fail"
    assert messages(result) == ["deploy/shop.yaml:106 StatefulSet/cart-db container redis: no limits.cpu, limits.memory"]
    assert check("k8s.resources k8s/base").status == "pass"


def test_resources_covers_init_containers(check, tmp_path):
    (tmp_path / "job.yaml").write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n    spec:\n"
        "      initContainers:\n        - name: wait\n          image: busybox\n"
        "      containers:\n        - name: run\n          image: app\n          resources:\n"
        "            requests: {cpu: 1, memory: 1Gi}\n            limits: {cpu: 1, memory: 1Gi}\n")
    result = check("k8s.resources", root=tmp_path)
    assert messages(result) == [
        "job.yaml:8 Job/migrate init container wait: no requests.cpu, requests.memory, limits.cpu, limits.memory"]


def test_probes_names_the_deployment_container_without_probes(check):
    result = check("k8s.probes")
    assert messages(result) == ["deploy/shop.yaml:76 Deployment/checkout container api: no readinessProbe and no livenessProbe"]


def test_hpa_requires_an_autoscaler_with_at_least_two_replicas(check):
    result = check("k8s.hpa")
    assert result.status == "fail"
    assert messages(result) == [
        "deploy/shop.yaml:88 StatefulSet/cart-db: no HorizontalPodAutoscaler has it as scaleTargetRef",
        "deploy/shop.yaml:159 HorizontalPodAutoscaler/checkout lets Deployment/checkout scale down to 1 replica; "
        "at least 2 are required",
    ]
    passing = check("k8s.hpa k8s/base")
    assert passing.status == "pass" and "HorizontalPodAutoscaler/payments" in messages(passing)[0]
    assert check("k8s.hpa --min 3 k8s/base").status == "fail"


def test_pdb_matches_label_selectors_and_refuses_a_budget_that_blocks_drains(check):
    assert messages(check("k8s.pdb")) == [
        "deploy/shop.yaml:51 Deployment/checkout: no PodDisruptionBudget selects its pods "
        "(labels: app.kubernetes.io/name=checkout)",
        "deploy/shop.yaml:183 PodDisruptionBudget/cart-db (for StatefulSet/cart-db): maxUnavailable: 0 allows no "
        "voluntary disruption, so node drains hang",
    ]


def test_netpol_wants_a_default_deny_in_every_namespace_with_workloads(check):
    result = check("k8s.netpol")
    (message,) = messages(result)
    assert message.startswith("deploy/batch.yaml:7 namespace batch (workloads CronJob/sales-report): no NetworkPolicy")
    assert "NetworkPolicy/allow-all: its ingress rule 1 allows every source" in message
    assert check("k8s.netpol deploy/shop.yaml k8s/").status == "pass"


def test_rbac_finds_wildcards_and_cluster_admin_bindings(check):
    assert messages(check("k8s.rbac")) == [
        "deploy/batch.yaml:50 ClusterRoleBinding/sales-report-admin binds cluster-admin to ServiceAccount/default",
        "deploy/shop.yaml:240 Role/checkout-operator rule 2: wildcard '*' in resources",
        "deploy/shop.yaml:241 Role/checkout-operator rule 2: wildcard '*' in verbs",
    ]


def test_nonroot_lets_the_container_setting_win_over_the_pod(check):
    assert messages(check("k8s.nonroot")) == [
        "deploy/batch.yaml:22 CronJob/sales-report container report: privileged: true",
        "deploy/shop.yaml:76 Deployment/checkout container api: runAsNonRoot: false, allowPrivilegeEscalation: true",
    ]


def test_a_check_with_nothing_to_inspect_fails(check, tmp_path):
    for name in ("k8s.resources", "k8s.probes", "k8s.hpa", "k8s.pdb", "k8s.netpol", "k8s.rbac", "k8s.nonroot"):
        result = check(name, root=tmp_path)
        assert result.status == "fail", name
        assert "absence of evidence is not a pass" in messages(result)[0]
    assert messages(check("k8s.hpa", root=tmp_path))[0].startswith("no Kubernetes Deployment/StatefulSet workloads found")


def test_bad_arguments_are_an_error_not_a_failure(check):
    assert check("k8s.hpa --min two").status == "error"
    assert check("k8s.resources ../outside").status == "error"
    assert check("k8s.probes --strict").status == "error"
