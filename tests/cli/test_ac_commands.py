"""`flowops ac check` and `flowops ac lint` on a real backlog."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from flowops.acceptance.lint import Finding
from flowops.hookspecs import hookimpl

# Seed 004's calibration: its good examples must pass, its bad ones must be flagged.
SEED_GOOD = [
    "Deployment pipeline runs terraform plan in CI and requires approval before apply",
    "Runbook covers: service restart, database failover, cache flush, and certificate rotation with step-by-step commands",
    "Alerts fire when error rate exceeds 1% over 5 minutes, with PagerDuty routing",
    "Health check endpoint responds within 5 seconds and verifies database connectivity",
]
SEED_BAD = ["Deployment is automated", "Runbook exists", "Monitoring is set up"]


@pytest.fixture
def backlog_repo(repo, flowops):
    assert flowops("init").exit_code == 0
    return repo


def create(flowops, title, *criteria, parent=None) -> str:
    args = f"task create {shlex.quote(title)} --json" + "".join(f" --ac {shlex.quote(c)}" for c in criteria)
    if parent:
        args += f" -p {parent}"
    result = flowops(args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)["task"]["id"]


# -- ac lint --------------------------------------------------------------------------------


def test_lint_flags_seed_004s_bad_examples_and_passes_its_good_ones(flowops, backlog_repo):
    good = create(flowops, "Good criteria", *SEED_GOOD)
    bad = create(flowops, "Bad criteria", *SEED_BAD)
    result = flowops(f"ac lint {good} {bad} --json")
    assert result.exit_code == 3, result
    data = json.loads(result.stdout)
    assert data["tasks"] == 2 and data["criteria"] == 7 and data["flagged"] == 3
    flagged = {(f["task_id"], f["criterion"]) for f in data["findings"]}
    assert flagged == {(bad, 1), (bad, 2), (bad, 3)}
    rules = {(f["criterion"], f["rule"]) for f in data["findings"]}
    assert (1, "vague-predicate") in rules and (3, "vague-predicate") in rules
    assert all(f["suggestion"] for f in data["findings"])
    assert set(data["findings"][0]) == {"task_id", "title", "criterion", "text", "rule", "message", "suggestion"}


def test_lint_of_good_criteria_exits_0(flowops, backlog_repo):
    task = create(flowops, "Good criteria", *SEED_GOOD)
    result = flowops(f"ac lint {task} --plain")
    assert result.exit_code == 0, result
    assert result.stdout == "0 of 4 criteria flagged in 1 task\n"


def test_lint_plain_names_task_number_rule_and_fix(flowops, backlog_repo):
    task = create(flowops, "Ops", "p95 latency stays under 300 ms", "Deployment is automated")
    result = flowops(f"ac lint {task} --plain")
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0] == f"{task} #2: Deployment is automated"
    assert lines[1].startswith("  no-measurable-element: ")
    assert lines[3].startswith("  vague-predicate: 'is automated'")
    assert lines[4].startswith("    fix: replace 'is automated':")
    assert lines[-1] == "1 of 2 criteria flagged in 1 task"


def test_lint_all_covers_every_active_task(flowops, backlog_repo):
    create(flowops, "One", "Runbook exists")
    create(flowops, "Two", *SEED_GOOD)
    create(flowops, "Three", "Logging works")
    data = json.loads(flowops("ac lint --all --json").stdout)
    assert data["tasks"] == 3 and data["criteria"] == 6 and data["flagged"] == 2
    assert sorted({f["task_id"] for f in data["findings"]}) == ["TASK-1", "TASK-3"]


def test_lint_needs_ids_or_all(flowops, backlog_repo):
    assert flowops("ac lint").exit_code == 2
    assert flowops("ac lint 1 --all").exit_code == 2


def test_the_operate_playbook_criteria_pass_the_lint(flowops, backlog_repo, repo):
    assert flowops("task create 'Checkout' -l workflow:Validated").exit_code == 0
    alerts = Path(__file__).resolve().parents[1] / "data" / "alerts"
    assert flowops(f"operate 1 --alerts {alerts / 'prometheus_rules.yml'} --playbook sre --playbook mlops").exit_code == 0
    result = flowops("ac lint --all --json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["flagged"] == 0 and data["criteria"] > 40, result


class NoTbd:
    @hookimpl
    def lint_criterion(self, text):
        return [Finding("no-tbd", "not decided yet", "decide the value")] if "TBD" in text else None


def test_a_plugin_rule_is_applied(flowops, backlog_repo, install_plugin):
    install_plugin("no-tbd", NoTbd())
    task = create(flowops, "Pending", "p99 latency under TBD ms for 30 days")
    data = json.loads(flowops(f"ac lint {task} --json").stdout)
    assert [f["rule"] for f in data["findings"]] == ["no-tbd"]


# -- ac check ---------------------------------------------------------------------------------


def test_check_lists_unchecked_criteria_by_number_and_exits_3(flowops, backlog_repo):
    task = create(flowops, "Feature", "p95 under 300 ms", "`make test` passes", "docs/slo.md states 99.9%")
    assert flowops(f"task edit {task} --check-ac 2").exit_code == 0
    result = flowops(f"ac check {task} --plain")
    assert result.exit_code == 3
    assert result.stdout.splitlines() == [
        f"{task} Feature: 2 of 3 unchecked",
        "  #1 p95 under 300 ms",
        "  #3 docs/slo.md states 99.9%",
        "2 unchecked criteria in 1 of 1 task",
    ]


def test_check_exits_0_when_all_are_checked(flowops, backlog_repo):
    task = create(flowops, "Feature", "p95 under 300 ms")
    flowops(f"task edit {task} --check-ac 1")
    result = flowops(f"ac check {task} --json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "all_checked": True,
        "unchecked": 0,
        "tasks": [{"id": task, "title": "Feature", "checked": 1, "total": 1, "unchecked": []}],
    }


def test_check_recursive_includes_subtasks_and_theirs(flowops, backlog_repo):
    parent = create(flowops, "Feature", "p95 under 300 ms")
    flowops(f"task edit {parent} --check-ac 1")
    child = create(flowops, "Child", "`make e2e` passes", parent=parent)
    grandchild = create(flowops, "Grandchild", "docs/run.md has 3 steps", parent=child)
    alone = flowops(f"ac check {parent}")
    assert alone.exit_code == 0
    result = flowops(f"ac check {parent} --recursive --json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert [t["id"] for t in data["tasks"]] == [parent, child, grandchild]
    assert data["unchecked"] == 2


def test_check_of_an_unknown_task_exits_1(flowops, backlog_repo):
    result = flowops("ac check 99")
    assert result.exit_code == 1 and "not found" in result.stderr


def lint_findings(flowops, *criteria) -> list[dict]:
    task = create(flowops, "Ops", *criteria)
    result = flowops(f"ac lint {task} --json")
    return json.loads(result.stdout)["findings"]


def test_a_judgement_about_a_named_file_is_still_flagged(flowops, backlog_repo):
    findings = lint_findings(flowops, "Make sure k8s/deployment.yaml is correct")
    assert [f["rule"] for f in findings] == ["vague-predicate"]
    assert "'is correct'" in findings[0]["message"]
    assert "threshold" in findings[0]["suggestion"] or "command" in findings[0]["suggestion"]


def test_a_judgement_with_the_cases_it_covers_passes(flowops, backlog_repo):
    assert lint_findings(flowops, "Responses are correct for all 12 cases in tests/api_cases.json") == []


def test_a_criterion_about_tests_gets_a_test_suggestion_not_a_latency_one(flowops, backlog_repo):
    [finding] = lint_findings(flowops, "Tests pass")
    assert finding["rule"] == "no-measurable-element"
    assert "pytest" in finding["suggestion"] or "test" in finding["suggestion"]
    assert "latency" not in finding["suggestion"]


@pytest.mark.parametrize("placeholder", ["TBD", "TODO", "tbc", "?", "n/a", "..."])
def test_a_placeholder_criterion_is_called_a_placeholder(flowops, backlog_repo, placeholder):
    [finding] = lint_findings(flowops, placeholder)
    assert finding["rule"] == "placeholder"
    assert "placeholder" in finding["message"] and "latency" not in finding["suggestion"]


def test_a_criterion_without_a_topic_gets_a_general_suggestion(flowops, backlog_repo):
    [finding] = lint_findings(flowops, "The team is happy with it")
    assert "latency" not in finding["suggestion"]
    assert "command" in finding["suggestion"] and "file" in finding["suggestion"]
