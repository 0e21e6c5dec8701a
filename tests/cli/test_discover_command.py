"""`flowops discover`: a short summary per area, or the whole inventory as JSON."""

from __future__ import annotations

import json

from tests.support.evidence import copy_shop


def test_plain_output_is_a_short_summary_per_area(flowops, repo):
    copy_shop(repo)
    result = flowops("discover --plain")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == f"{repo} (23 files, listed by git)"
    assert lines[1:] == [
        "ci: 2 GitHub Actions workflows (4 jobs): .github/workflows/ci.yml, .github/workflows/release.yml",
        "containers: 2 container builds: Dockerfile, services/worker/worker.Dockerfile",
        "kubernetes: 5 workloads, 22 other objects, 2 kustomizations, 1 chart: deploy/batch.yaml, deploy/shop.yaml, "
        "k8s/base/deployment.yaml, k8s/base/policies.yaml and 3 more",
        "  workloads: CronJob/sales-report, Deployment/frontend, Deployment/checkout, StatefulSet/cart-db ...",
        "alerts: 6 alerts in 2 files: monitoring/prometheus-rules.yaml, monitoring/rules/node.rules.yml",
        "slos: 3 SLOs in 2 spec files: slo/checkout.sloth.yaml, slo/frontend.openslo.yaml",
        "dashboards: 1 dashboard: dashboards/checkout.json",
        "runbooks: 0 runbook documents, 0 written",
    ]


def test_json_is_one_document_with_every_area(flowops, repo):
    copy_shop(repo)
    data = json.loads(flowops("discover --json").stdout)
    assert (data["schemaVersion"], data["kind"], data["root"]) == (1, "discover", str(repo))
    assert len(data["kubernetes"]["workloads"]) == 5
    assert data["kubernetes"]["charts"] == [{"path": "charts/shop", "file": "charts/shop/Chart.yaml", "name": "shop",
                                            "version": "0.7.2"}]
    assert [a["name"] for a in data["alerts"]][:2] == ["CheckoutErrorBudgetBurn", "CheckoutErrorBudgetBurn"]


def test_the_backlog_and_flowops_folders_are_never_searched(flowops, repo):
    copy_shop(repo)
    assert flowops("init").exit_code == 0
    (repo / "backlog" / "docs" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    data = json.loads(flowops("discover --json").stdout)
    assert not any(m["path"].startswith(("backlog/", ".flowops/")) for m in data["kubernetes"]["objects"])
    assert len(data["kubernetes"]["workloads"]) == 5


def test_config_globs_narrow_and_widen_the_search(flowops, repo):
    copy_shop(repo)
    assert flowops("init").exit_code == 0
    (repo / ".gitignore").write_text("generated/\n")
    (repo / "generated").mkdir()
    (repo / "generated" / "job.yaml").write_text("apiVersion: batch/v1\nkind: Job\nmetadata: {name: seed}\n")
    config = repo / ".flowops" / "config.toml"
    config.write_text(config.read_text() + '\n[discover]\ninclude = ["generated/"]\nexclude = ["deploy/batch.yaml"]\n')
    names = [w["name"] for w in json.loads(flowops("discover --json").stdout)["kubernetes"]["workloads"]]
    assert names == ["frontend", "checkout", "cart-db", "seed", "payments"]


def test_it_works_without_a_backlog_and_outside_git(flowops, tmp_path):
    plain = copy_shop(tmp_path / "plain", init_git=False)
    result = flowops("discover --json", cwd=plain)
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["source"] == "walk"
