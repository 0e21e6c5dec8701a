"""One runbook per alert *name*: real rule files ship one alert at several severities.

kube-prometheus and kubernetes-mixin define NodeFilesystemSpaceFillingUp twice (warning
with a 24 h prediction, critical with 4 h); a team's own rules often pair a ticket
(warning) with a page (critical). Each name gets one runbook task and one document that
lists every severity and every rule location (file:line).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.operate import backlog

ALERTS = Path(__file__).resolve().parents[1] / "data" / "alerts"
KUBE = "k8s/monitoring/node-exporter-prometheusrule.yaml"
CHECKOUT = "monitoring/checkout.rules.yml"


@pytest.fixture
def project(validated_feature):
    """TASK-1 in Validated (tests/cli/conftest.py) and two rule files that pair severities."""
    for name, target in (("kube_prometheus_rules.yaml", KUBE), ("checkout_slo_rules.yml", CHECKOUT)):
        (validated_feature / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ALERTS / name, validated_feature / target)
    return validated_feature


def rule_lines(path: Path, name: str) -> list[int]:
    """The 1-based lines of the ``- alert: name`` rules in ``path`` (the expected locations)."""
    lines = path.read_text().splitlines()
    marker = f"- alert: {name}"
    return [n for n, line in enumerate(lines, 1) if line.strip() == marker]


def runbook_tasks(repo: Path) -> dict[str, list]:
    listing = backlog(repo).load(("tasks",), use_cache=False)
    found: dict[str, list] = {}
    for task in listing.tasks:
        for label in task.labels:
            if label.startswith("ops:runbook:"):
                found.setdefault(label, []).append(task)
    return found


def operate_json(flowops, *alert_files: str, extra: str = "") -> dict:
    args = " ".join(f"--alerts {f}" for f in alert_files)
    result = flowops(f"operate 1 --json --playbook sre {args} {extra}")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_a_prometheusrule_with_warning_and_critical_pairs_gives_one_runbook_per_alert_name(flowops, project):
    data = operate_json(flowops, KUBE)
    assert [r["alert"] for r in data["runbooks"]] == [
        "NodeFilesystemSpaceFillingUp", "NodeFilesystemAlmostOutOfSpace", "NodeNetworkReceiveErrs"
    ]
    tasks = runbook_tasks(project)
    assert sorted(tasks) == [
        "ops:runbook:node-filesystem-almost-out-of-space",
        "ops:runbook:node-filesystem-space-filling-up",
        "ops:runbook:node-network-receive-errs",
    ]
    assert all(len(found) == 1 for found in tasks.values())
    assert len(list((project / "backlog" / "docs").glob("doc-*.md"))) == 3


def test_the_runbook_lists_every_severity_and_rule_location(flowops, project):
    data = operate_json(flowops, KUBE)
    filling = next(r for r in data["runbooks"] if r["alert"] == "NodeFilesystemSpaceFillingUp")
    warning_line, critical_line = rule_lines(project / KUBE, "NodeFilesystemSpaceFillingUp")
    assert filling["severities"] == ["warning", "critical"]
    assert [(rule["severity"], rule["location"]) for rule in filling["rules"]] == [
        ("warning", f"{KUBE}:{warning_line}"),
        ("critical", f"{KUBE}:{critical_line}"),
    ]
    document = (project / filling["path"]).read_text()
    assert "| Severities | warning, critical |" in document
    assert f"`{KUBE}:{warning_line}`" in document and f"`{KUBE}:{critical_line}`" in document
    assert "24*60*60" in document and "4*60*60" in document  # both expressions
    task = runbook_tasks(project)["ops:runbook:node-filesystem-space-filling-up"][0]
    assert f"{KUBE}:{warning_line}" in task.description and f"{KUBE}:{critical_line}" in task.description
    assert "severities warning and critical" in task.acceptance_criteria[3].text


def test_a_single_severity_alert_keeps_its_single_fact_layout(flowops, project):
    data = operate_json(flowops, KUBE)
    receive = next(r for r in data["runbooks"] if r["alert"] == "NodeNetworkReceiveErrs")
    assert receive["severities"] == ["warning"] and len(receive["rules"]) == 1
    document = (project / receive["path"]).read_text()
    assert "| Severity | warning |" in document and "| Fires after | 1h of the condition holding |" in document


def test_multi_group_rule_files_pair_severities_across_groups_and_files(flowops, project):
    (project / "monitoring" / "checkout-pages.rules.yml").write_text(
        "groups:\n"
        "  - name: checkout-extra\n"
        "    rules:\n"
        "      - alert: CheckoutDown\n"
        "        expr: sum(up{job=\"checkout\"}) == 0\n"
        "        for: 5m\n"
        "        labels:\n"
        "          severity: warning\n"
    )
    data = operate_json(flowops, CHECKOUT, "monitoring/checkout-pages.rules.yml")
    runbooks = {r["alert"]: r for r in data["runbooks"]}
    assert list(runbooks) == ["CheckoutErrorBudgetBurn", "CheckoutLatencyHigh", "CheckoutDown"]
    assert runbooks["CheckoutErrorBudgetBurn"]["severities"] == ["critical", "warning"]
    down = runbooks["CheckoutDown"]
    assert down["severities"] == ["critical", "warning"]
    assert [rule["location"].split(":")[0] for rule in down["rules"]] == [CHECKOUT, "monitoring/checkout-pages.rules.yml"]
    assert len(runbook_tasks(project)) == 3


def test_a_second_run_over_paired_alerts_creates_nothing(flowops, project):
    operate_json(flowops, KUBE, CHECKOUT)
    again = operate_json(flowops, KUBE, CHECKOUT)
    assert again["created"] == []
    assert all(r["created"] is False for r in again["runbooks"])


def test_different_alert_names_with_one_slug_are_still_refused(flowops, project):
    (project / "monitoring" / "clash.yml").write_text(
        "groups:\n- name: a\n  rules:\n  - alert: Disk Full\n    expr: x\n  - alert: DiskFull\n    expr: y\n"
    )
    result = flowops("operate 1 --alerts monitoring/clash.yml")
    assert result.exit_code == 2
    assert "'Disk Full'" in result.stderr and "'DiskFull'" in result.stderr and "disk-full" in result.stderr


def test_an_alerts_file_without_alerts_is_a_warning(flowops, project):
    (project / "monitoring" / "recording.yml").write_text(
        "groups:\n- name: r\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n"
    )
    (project / "monitoring" / "empty.yml").write_text("# all alerts moved to the platform repo\n")
    result = flowops("operate 1 --dry-run --alerts monitoring/recording.yml --alerts monitoring/empty.yml")
    assert result.exit_code == 0, result
    assert "warning: monitoring/recording.yml has no alerting rules" in result.stderr
    assert "warning: monitoring/empty.yml has no alerting rules" in result.stderr


def test_the_burn_rate_rules_flowops_slo_generates_give_one_runbook_per_alert(flowops, project):
    golden = Path(__file__).resolve().parents[1] / "data" / "slo" / "golden" / "sloth.rules.yml"
    shutil.copy(golden, project / "monitoring" / "slo.rules.yml")
    data = operate_json(flowops, "monitoring/slo.rules.yml")
    names = [r["alert"] for r in data["runbooks"]]
    assert len(names) == len(set(names)) and "CheckoutAvailabilityBudgetBurn" in names
    availability = next(r for r in data["runbooks"] if r["alert"] == "CheckoutAvailabilityBudgetBurn")
    assert len(availability["severities"]) == 2 and len(availability["rules"]) == 2
