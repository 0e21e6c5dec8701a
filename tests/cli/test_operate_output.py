"""operate's output: one naming for runbooks, hints that work, errors as JSON, tables that say what they mean."""

from __future__ import annotations

import json

import pytest

from tests.support.terminal import run_in_terminal


def runbook_gaps(output: str) -> list[str]:
    return [line for line in output.splitlines() if "ops:runbook:" in line and "runbook document" in line]


def test_status_names_runbooks_the_same_with_and_without_alert_files(operated, flowops):
    without = flowops("operate 1 --status --plain")
    with_files = flowops("operate 1 --status --plain --alerts monitoring/alerts.yml")
    assert without.exit_code == with_files.exit_code == 0
    assert runbook_gaps(without.stdout) == runbook_gaps(with_files.stdout)
    assert "  - TASK-1.6 (ops:runbook:high-latency): runbook document doc-2 still has skeleton sections: " \
           "Symptoms, Diagnosis, Resolution, Rollback, Escalation" in without.stdout.splitlines()


def test_status_of_a_feature_not_yet_validated_suggests_the_workflow_step(operated, flowops):
    assert flowops("task create 'Search service'").exit_code == 0
    result = flowops("operate 2 --status --plain")
    assert result.exit_code == 0, result
    assert "`flowops operate TASK-2` first" not in result.stdout
    assert ("TASK-2 is in To Do; operate runs from Validated. Next step: `flowops workflow advance specify TASK-2`"
            in result.stdout)
    assert "operate cannot run yet: TASK-2 is in To Do" in result.stdout
    assert "ready: `flowops operate" not in result.stdout


def test_status_in_a_terminal_indents_wrapped_lines(operated):
    result = run_in_terminal(["operate", "1", "--status"], operated, columns=70)
    assert result.exit_code == 0, result
    lines = [line.rstrip() for line in result.stdout.splitlines() if line.strip()]
    gap_start = next(i for i, line in enumerate(lines) if line.startswith("  - "))
    for line in lines[gap_start:]:
        assert line.startswith(("  - ", "    ")), f"unindented continuation: {line!r}"
        assert len(line) <= 70


@pytest.mark.parametrize(
    "args, code, kind",
    [
        ("operate 99 --json", 1, "NotFoundError"),
        ("operate 99 --status --json", 1, "NotFoundError"),
        ("operate 1 --json --playbook nope", 2, "UsageError"),
        ("operate 1 --json --alerts monitoring/missing.yml", 2, "ConfigError"),
    ],
)
def test_operate_json_errors_are_a_json_document_on_stdout(operated, flowops, args, code, kind):
    result = flowops(args)
    assert result.exit_code == code, result
    document = json.loads(result.stdout)
    assert document["error"]["error"] == kind and document["error"]["exit_code"] == code
    assert document["error"]["message"]
    assert result.stderr.startswith("error: ")


def test_a_blocked_operate_json_says_exit_4_in_json(operated, flowops):
    assert flowops("task create 'Search service'").exit_code == 0
    result = flowops("operate 2 --json")
    assert result.exit_code == 4
    error = json.loads(result.stdout)["error"]
    assert (error["error"], error["exit_code"]) == ("BlockedError", 4)
    assert "requires Validated" in error["message"]


def test_the_dry_run_runbook_table_shows_no_title_as_a_file(operated, flowops):
    with (operated / "monitoring" / "alerts.yml").open("a") as rules:
        rules.write("  - name: queue\n    rules:\n      - alert: QueueBacklog\n        expr: depth > 1000\n")
    result = flowops("operate 1 --alerts monitoring/alerts.yml --dry-run --plain")
    assert result.exit_code == 0, result
    documents = result.stdout.split("runbook documents:\n", 1)[1].splitlines()
    planned = next(line for line in documents if line.startswith("would create") and "QueueBacklog" in line)
    assert "Runbook: QueueBacklog" not in planned
    assert planned.split()[-1] == "-"
    reused = next(line for line in documents if line.startswith("reused") and "doc-2" in line)
    assert reused.endswith("backlog/docs/doc-2 - Runbook-High-Latency.md")
