"""ops.runbooks: every alert has a runbook task under the feature and a runbook with no skeleton left."""

from __future__ import annotations

import json
import re

import pytest

from flowops.backlog.store import Backlog
from flowops.project import Project
from tests.support.evidence import copy_shop

WRITTEN = {
    "Symptoms": "- Node disk usage panel above 90%; writes to /var/lib fail.",
    "Diagnosis": "1. `df -h` on the node.\n2. `du -xh /var/lib | sort -h | tail` names the largest folder.\n"
                 "3. `journalctl --disk-usage` shows whether logs are to blame.",
    "Resolution": "- Logs: `journalctl --vacuum-size=2G`.\n- Images: `crictl rmi --prune`.",
    "Rollback": "- Nothing to roll back: cleanup only removes caches.",
    "Escalation": "- Page #platform-oncall; after 30 minutes page the platform lead.",
}


@pytest.fixture
def feature(flowops, repo):
    copy_shop(repo)
    assert flowops("init").exit_code == 0
    assert flowops("task create Checkout -l workflow:Validated --ac 'Runbooks written `verify: ops.runbooks monitoring/rules`'"
                   ).exit_code == 0
    assert flowops("operate 1 --alerts monitoring/rules/node.rules.yml").exit_code == 0
    return repo


def verify(flowops, task_id="1"):
    result = flowops(f"ac verify {task_id} --json")
    return result.exit_code, json.loads(result.stdout)["results"]


def runbook_files(repo):
    return sorted((repo / "backlog" / "docs").glob("doc-*.md"))


def write_sections(path):
    text = path.read_text()
    for section, body in WRITTEN.items():
        text = re.sub(rf"(## {section}\n\n)(.*?)(?=\n## |\Z)", lambda m, body=body: m.group(1) + body + "\n", text,
                      flags=re.S)
    path.write_text(text)


def test_fresh_skeletons_fail_with_the_document_line_of_each_prompt(flowops, feature):
    code, (result,) = verify(flowops)
    assert (code, result["status"]) == (3, "fail")
    first = result["evidence"][0]
    assert first["path"].startswith("backlog/docs/doc-") and first["line"] > 10
    assert "TODO(runbook) marker: what users notice while `NodeFilesystemAlmostFull` fires" in first["message"]


def test_removing_only_the_todo_markers_does_not_pass(flowops, feature):
    for path in runbook_files(feature):
        path.write_text(path.read_text().replace("TODO(runbook): ", ""))
    code, (result,) = verify(flowops)
    assert result["status"] == "fail"
    assert "skeleton prompt left without its marker" in result["evidence"][0]["message"]


def test_written_runbooks_pass(flowops, feature):
    for path in runbook_files(feature):
        write_sections(path)
    code, (result,) = verify(flowops)
    assert (code, result["status"]) == (0, "pass"), result
    assert result["summary"] == "2 alerts with a runbook task under TASK-1 and a written runbook"


def test_an_alert_without_its_runbook_task_is_named_at_its_rule(flowops, feature):
    rules = feature / "monitoring" / "rules" / "node.rules.yml"
    rules.write_text(rules.read_text() + "      - alert: NodeClockSkew\n        expr: abs(node_timex_offset_seconds) > 0.05\n"
                     "        for: 10m\n        labels: {severity: warning}\n")
    for path in runbook_files(feature):
        write_sections(path)
    code, (result,) = verify(flowops)
    assert [e["message"] for e in result["evidence"]] == [
        "alert NodeClockSkew: no runbook task (ops:runbook:node-clock-skew) under TASK-1; run `flowops operate TASK-1`",
        "alert NodeClockSkew: no runbook document carries ops:runbook:node-clock-skew",
    ]
    assert result["evidence"][0]["line"] == 23


def test_bound_to_an_operations_task_it_judges_that_task_s_feature(flowops, feature):
    backlog = Backlog(Project(feature))
    slo = next(t for t in backlog.load(("tasks",), use_cache=False).tasks if "ops:slo" in t.labels)
    assert flowops(f"ac bind {slo.id} 1 -- ops.runbooks monitoring/rules").exit_code == 0
    for path in runbook_files(feature):
        write_sections(path)
    code, results = verify(flowops, slo.id)
    assert results[0]["summary"] == "2 alerts with a runbook task under TASK-1 and a written runbook"
