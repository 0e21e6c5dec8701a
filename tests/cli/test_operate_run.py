"""`flowops operate ID`: guard, discovery, creation, idempotence, runbooks, dry run, plugins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flowops.hookspecs import hookimpl
from flowops.ops.playbook import Playbook, PlaybookItem
from tests.support.operate import backlog, ops_tasks, snapshot
from tests.support.state import audit_log

ALERTS = Path(__file__).resolve().parents[1] / "data" / "alerts"
SRE_KEYS = ["ops:cicd", "ops:kubernetes", "ops:observability", "ops:slo"]
RUNBOOK_KEYS = ["ops:runbook:high-error-rate", "ops:runbook:high-latency", "ops:runbook:checkout-down"]

EXTRA_ALERT = """\
  - name: checkout-queue
    rules:
      - alert: QueueBacklog
        expr: checkout_queue_depth > 1000
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: More than 1000 orders wait in the checkout queue
"""


# ``project`` (tests/cli/conftest.py): TASK-1 in Validated, the sample rules in monitoring/alerts.yml.


def key_of(task) -> str:
    return next(label for label in task.labels if label.startswith("ops:"))


def documents(repo) -> list[Path]:
    return sorted((repo / "backlog" / "docs").glob("doc-*.md"))


def audit_types(repo) -> list[str]:
    log = audit_log(repo)
    if not log.exists():
        return []
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r["event"]["type"] for r in records if r.get("kind") == "event"]


def operate(flowops, args="", alerts="monitoring/alerts.yml"):
    command = "operate 1 --json" + (f" --alerts {alerts}" if alerts else "") + (f" {args}" if args else "")
    result = flowops(command)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


# -- the guard --------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["To Do", "In Implementation", "Deployed"])
def test_operate_outside_validated_exits_4_and_writes_nothing(flowops, project, state):
    assert flowops(f"task edit 1 --remove-label workflow:Validated --add-label 'workflow:{state}'").exit_code == 0
    before = snapshot(project)
    result = flowops("operate 1 --alerts monitoring/alerts.yml")
    assert result.exit_code == 4, result
    assert f"it is in {state}" in result.stderr and "requires Validated" in result.stderr
    assert "flowops operate TASK-1 --skip-state-check --reason" in result.stderr
    assert result.stdout == ""
    assert snapshot(project) == before


def test_skip_state_check_needs_a_reason(flowops, project):
    flowops("task edit 1 --remove-label workflow:Validated")
    before = snapshot(project)
    result = flowops("operate 1 --skip-state-check")
    assert result.exit_code == 2
    assert "--reason" in result.stderr
    assert snapshot(project) == before


def test_skip_state_check_with_a_reason_proceeds_and_is_audited(flowops, project):
    flowops("task edit 1 --remove-label workflow:Validated")
    data = operate(flowops, "--skip-state-check --reason 'hotfix for incident 42'")
    assert data["skipped_state_check"] is True and data["reason"] == "hotfix for incident 42"
    assert len(data["created"]) == 7
    types = audit_types(project)
    assert types.index("workflow.state_check_skipped") < types.index("operate.started")


# -- creating and reusing ---------------------------------------------------------------


def test_first_run_creates_the_sre_set_and_one_runbook_per_alert(flowops, project):
    data = operate(flowops)
    assert [e["label"] for e in data["created"]] == SRE_KEYS + RUNBOOK_KEYS
    assert data["reused"] == [] and data["orphaned"] == []
    tasks = ops_tasks(project)
    assert [t.id for t in tasks] == [f"TASK-1.{n}" for n in range(1, 8)]
    for task in tasks:
        assert task.parent_task_id == "TASK-1"
        assert task.assignees == ["@sre-agent"] and task.priority == "high"
        assert task.labels[0] == "infrastructure" and len(task.acceptance_criteria) >= 4
    cicd = tasks[0]
    assert cicd.title == "CI/CD pipeline for Checkout service" and cicd.labels == ["infrastructure", "cicd", "ops:cicd"]
    assert tasks[3].labels == ["infrastructure", "monitoring", "ops:slo"]
    latency = tasks[5]
    assert latency.title == "Runbook: High Latency response"
    assert latency.labels == ["infrastructure", "runbook", "ops:runbook:high-latency"]
    docs = documents(project)
    assert [p.name for p in docs] == [
        "doc-1 - Runbook-HighErrorRate.md", "doc-2 - Runbook-High-Latency.md", "doc-3 - Runbook-CheckoutDown.md"
    ]
    text = docs[1].read_text()
    assert "type: guide" in text and "<!-- flowops:ops:runbook:high-latency -->" in text
    assert "histogram_quantile(0.99" in text and "| Fires after | 10m" in text
    assert latency.documentation == ["backlog/docs/doc-2 - Runbook-High-Latency.md"]
    runbooks = {r["alert"]: r for r in data["runbooks"]}
    assert runbooks["High Latency"]["task_id"] == "TASK-1.6" and runbooks["High Latency"]["doc_id"] == "doc-2"
    assert runbooks["High Latency"]["created"] is True
    types = audit_types(project)
    assert types.count("operate.started") == 1
    assert types.count("task.created") == 1 + 7  # the feature itself, then the ops tasks
    assert types.count("runbook.created") == 3


def test_second_run_creates_nothing(flowops, project):
    operate(flowops)
    before = snapshot(project / "backlog")
    data = operate(flowops)
    assert data["created"] == []
    assert [e["label"] for e in data["reused"]] == SRE_KEYS + RUNBOOK_KEYS
    assert all(r["created"] is False and r["task_created"] is False for r in data["runbooks"])
    assert snapshot(project / "backlog") == before
    assert audit_types(project).count("task.created") == 1 + 7


def test_a_new_alert_creates_exactly_one_task_and_one_document(flowops, project):
    operate(flowops)
    with (project / "monitoring" / "alerts.yml").open("a") as rules:
        rules.write(EXTRA_ALERT)
    data = operate(flowops)
    assert [(e["id"], e["label"]) for e in data["created"]] == [("TASK-1.8", "ops:runbook:queue-backlog")]
    assert len(data["reused"]) == 7
    assert [r["doc_id"] for r in data["runbooks"] if r["created"]] == ["doc-4"]
    assert len(ops_tasks(project)) == 8 and len(documents(project)) == 4


def test_a_renamed_and_finished_ops_task_is_still_reused(flowops, project):
    operate(flowops)
    assert flowops("task edit 1.1 -t 'Release pipeline (GitHub Actions)'").exit_code == 0
    backlog(project).complete("TASK-1.2")  # moved to completed/, as `backlog cleanup` does
    data = operate(flowops)
    assert data["created"] == []
    reused = {e["label"]: e for e in data["reused"]}
    assert reused["ops:cicd"]["id"] == "TASK-1.1" and reused["ops:cicd"]["title"] == "Release pipeline (GitHub Actions)"
    assert reused["ops:kubernetes"]["path"].startswith("backlog/completed/")


def test_another_features_ops_task_is_never_reused_but_a_parentless_one_is(flowops, project):
    assert flowops("task create 'Search service' -l workflow:Validated").exit_code == 0
    assert flowops("task create 'Search pipeline' -p 2 -l ops:cicd").exit_code == 0
    assert flowops("task create 'Cluster-wide network policy' -l ops:kubernetes").exit_code == 0
    data = operate(flowops, alerts="")
    created = {e["label"]: e["id"] for e in data["created"]}
    reused = {e["label"]: e["id"] for e in data["reused"]}
    assert created["ops:cicd"] == "TASK-1.1"  # TASK-2.1 belongs to TASK-2
    assert reused == {"ops:kubernetes": "TASK-3"}


def test_a_disappeared_alert_leaves_its_runbook_task_orphaned_not_deleted(flowops, project):
    operate(flowops)
    shutil.copy(ALERTS / "prometheus_rules.yml", project / "monitoring" / "old.yml")
    text = (project / "monitoring" / "alerts.yml").read_text()
    (project / "monitoring" / "alerts.yml").write_text(text.split("      - alert: CheckoutDown")[0])
    result = flowops("operate 1 --alerts monitoring/alerts.yml --plain")
    assert result.exit_code == 0, result
    assert "orphaned  TASK-1.7  ops:runbook:checkout-down" in result.stdout
    assert "alert no longer in the alert files; kept" in result.stdout
    data = operate(flowops)
    assert [(e["id"], e["label"]) for e in data["orphaned"]] == [("TASK-1.7", "ops:runbook:checkout-down")]
    assert data["created"] == []
    assert backlog(project).get("TASK-1.7").title == "Runbook: CheckoutDown response"
    assert len(documents(project)) == 3


def test_without_alert_files_no_runbook_is_called_orphaned(flowops, project):
    operate(flowops)
    (project / "monitoring" / "alerts.yml").unlink()  # nothing left for discovery to find either
    data = operate(flowops, alerts="")
    assert data["alert_files"] == []
    assert data["orphaned"] == [] and data["runbooks"] == [] and data["created"] == []


def test_without_alert_options_the_alert_files_discovery_finds_are_read_and_named(flowops, project):
    shutil.copy(ALERTS / "prometheus_rule_crd.yml", project / "monitoring" / "orders.yaml")
    result = flowops("operate 1 --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["alert_files"] == ["monitoring/alerts.yml", "monitoring/orders.yaml"]
    assert [r["alert"] for r in data["runbooks"]] == ["HighErrorRate", "High Latency", "CheckoutDown", "OrdersQueueBacklog"]
    assert ("no --alerts given: read the alert files discovery found: monitoring/alerts.yml, monitoring/orders.yaml"
            in result.stderr)


def test_discovered_prometheusrule_resources_in_multi_document_manifests_get_runbooks(flowops, project):
    (project / "monitoring" / "alerts.yml").unlink()
    (project / "k8s").mkdir()
    crd = (ALERTS / "prometheus_rule_crd.yml").read_text()
    (project / "k8s" / "app.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: orders}\n---\n" + crd)
    data = operate(flowops, alerts="")
    assert data["alert_files"] == ["k8s/app.yaml"]
    assert [(r["alert"], r["source"]) for r in data["runbooks"]] == [("OrdersQueueBacklog", "k8s/app.yaml:13")]


def test_alert_files_come_from_the_config_when_none_is_given(flowops, project):
    config = project / ".flowops" / "config.toml"
    config.write_text(config.read_text().replace("alerts = []", 'alerts = ["monitoring/alerts.yml"]'))
    data = operate(flowops, alerts="")
    assert data["alert_files"] == ["monitoring/alerts.yml"]
    assert len(data["runbooks"]) == 3


# -- bad input ----------------------------------------------------------------------------


def test_an_alert_without_a_name_exits_2_naming_file_and_position_and_writes_nothing(flowops, project):
    shutil.copy(ALERTS / "missing_name.yml", project / "monitoring" / "bad.yml")
    before = snapshot(project)
    result = flowops("operate 1 --alerts monitoring/alerts.yml --alerts monitoring/bad.yml")
    assert result.exit_code == 2, result
    assert "monitoring/bad.yml:" in result.stderr and "groups[0].rules[1]" in result.stderr
    assert "an alert needs a name" in result.stderr
    assert snapshot(project) == before


def test_invalid_yaml_exits_2_with_its_line(flowops, project):
    shutil.copy(ALERTS / "invalid_yaml.yml", project / "monitoring" / "broken.yml")
    result = flowops("operate 1 --alerts monitoring/broken.yml")
    assert result.exit_code == 2
    assert "monitoring/broken.yml:" in result.stderr and "invalid YAML" in result.stderr
    assert ops_tasks(project) == []


def test_an_unknown_playbook_is_a_usage_error_listing_the_known_ones(flowops, project):
    result = flowops("operate 1 --playbook nope")
    assert result.exit_code == 2
    assert "unknown playbook 'nope'" in result.stderr and "mlops, sre" in result.stderr
    assert ops_tasks(project) == []


# -- dry run --------------------------------------------------------------------------------


def test_dry_run_prints_the_plan_and_writes_nothing(flowops, project):
    before = snapshot(project)
    result = flowops("operate 1 --alerts monitoring/alerts.yml --dry-run --plain")
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Dry run: nothing was written.\n")
    assert "would create  -  ops:cicd" in result.stdout
    assert "7 tasks to create, 0 reused, 0 orphaned; 3 runbook documents to create, 0 reused" in result.stdout
    assert snapshot(project) == before


def test_dry_run_after_a_run_shows_what_is_reused(flowops, project):
    operate(flowops)
    with (project / "monitoring" / "alerts.yml").open("a") as rules:
        rules.write(EXTRA_ALERT)
    before = snapshot(project)
    data = operate(flowops, "--dry-run")
    assert data["dry_run"] is True
    assert [(e["id"], e["label"]) for e in data["created"]] == [(None, "ops:runbook:queue-backlog")]
    assert len(data["reused"]) == 7
    assert snapshot(project) == before


# -- playbooks ------------------------------------------------------------------------------


class SecurityPlaybook:
    @hookimpl
    def register_playbooks(self, register):
        register(
            Playbook(
                name="security",
                description="Security sign-off before launch",
                items=(
                    PlaybookItem(
                        key="security:pentest",
                        title="Penetration test of {feature} ({feature_id})",
                        area="security",
                        description="Outside testers try to break in.",
                        criteria=("docs/security/pentest.md lists 0 open high findings",),
                    ),
                ),
            )
        )


def test_a_third_party_playbook_is_used_by_name(flowops, project, install_plugin):
    (project / "monitoring" / "alerts.yml").unlink()  # playbooks only: no runbooks
    install_plugin("acme-security", SecurityPlaybook())
    data = operate(flowops, "--playbook security", alerts="")
    assert [(e["id"], e["label"], e["title"], e["playbook"]) for e in data["created"]] == [
        ("TASK-1.1", "ops:security:pentest", "Penetration test of Checkout service (TASK-1)", "security")
    ]
    assert backlog(project).get("TASK-1.1").labels == ["infrastructure", "security", "ops:security:pentest"]
    again = operate(flowops, "--playbook security --playbook sre", alerts="")
    assert [e["label"] for e in again["reused"]] == ["ops:security:pentest"]
    assert [e["label"] for e in again["created"]] == SRE_KEYS


def test_the_mlops_playbook_is_selected_by_name(flowops, project):
    (project / "monitoring" / "alerts.yml").unlink()  # playbooks only: no runbooks
    data = operate(flowops, "--playbook mlops", alerts="")
    labels = [e["label"] for e in data["created"]]
    assert labels and all(label.startswith("ops:mlops:") for label in labels)
    assert "ops:mlops:data-drift" in labels


def test_the_playbooks_come_from_the_config_when_none_is_given(flowops, project):
    config = project / ".flowops" / "config.toml"
    config.write_text(config.read_text().replace('playbooks = ["sre"]', 'playbooks = ["mlops"]'))
    data = operate(flowops, alerts="")
    assert data["playbooks"] == ["mlops"]


# -- output -----------------------------------------------------------------------------------


def test_plain_output_says_what_was_created_and_reused(flowops, project):
    first = flowops("operate 1 --alerts monitoring/alerts.yml --plain")
    assert first.exit_code == 0, first
    lines = first.stdout.splitlines()
    assert lines[0] == "TASK-1 Checkout service [Validated] - playbooks: sre; 3 alerts from monitoring/alerts.yml"
    assert lines[1].split()[:3] == ["created", "TASK-1.1", "ops:cicd"]
    assert "created  doc-2  High Latency   TASK-1.6  backlog/docs/doc-2 - Runbook-High-Latency.md" in first.stdout
    second = flowops("operate 1 --alerts monitoring/alerts.yml --plain")
    assert second.stdout.splitlines()[-1] == "0 tasks created, 7 reused, 0 orphaned; 0 runbook documents created, 3 reused"


def test_json_output_has_stable_keys(flowops, project):
    data = operate(flowops)
    assert set(data) == {"feature", "dry_run", "skipped_state_check", "reason", "playbooks", "alert_files", "slo",
                         "created", "reused", "orphaned", "runbooks", "warnings"}
    assert data["slo"] is None  # no SLO specs in this repository
    assert data["feature"] == {"id": "TASK-1", "title": "Checkout service", "state": "Validated"}
    assert set(data["created"][0]) == {"id", "key", "label", "title", "area", "status", "path", "playbook", "alert"}
    assert set(data["runbooks"][0]) == {"alert", "slug", "severity", "severities", "source", "rules", "task_id",
                                        "task_created", "doc_id", "title", "path", "created"}
    assert data["runbooks"][0]["source"] == "monitoring/alerts.yml:7"
