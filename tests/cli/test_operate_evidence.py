"""`operate --complete` trusts evidence over ticks: bound criteria are verified, --no-verify is audited."""

from __future__ import annotations

import json

from tests.cli.test_operate_complete import feature_labels, finish_everything, project  # noqa: F401 (fixture)
from tests.support.state import audit_log


def audit(repo):
    return [json.loads(line) for line in audit_log(repo).read_text().splitlines()]


def break_probes(repo):
    manifest = repo / "k8s" / "checkout.yaml"
    text = manifest.read_text()
    start, end = text.index("          readinessProbe:"), text.index("          securityContext:\n            allowPrivilege")
    manifest.write_text(text[:start] + text[end:])


def test_a_ticked_criterion_whose_check_fails_blocks_with_the_evidence_under_it(flowops, project, promtool):
    finish_everything(flowops, project)
    break_probes(project)
    result = flowops("operate 1 --complete")
    assert result.exit_code == 3, result
    assert "TASK-1 cannot be marked Deployed: 1 operations item not finished" in result.stderr
    lines = result.stderr.splitlines()
    gap = lines.index("  - TASK-1.2 #3 is ticked but its check `verify: k8s.probes` fails: 1 container without readiness "
                      "or liveness probes")
    assert lines[gap + 1] == ("      k8s/checkout.yaml:23 Deployment/checkout container api: no readinessProbe and no "
                              "livenessProbe")
    assert "`flowops ac verify TASK-1 --recursive` the evidence" in result.stderr
    assert "workflow:Validated" in feature_labels(project)


def test_a_skipped_check_blocks_too_it_is_never_a_pass(flowops, project, monkeypatch):
    finish_everything(flowops, project)
    monkeypatch.setattr("flowops.checks.model.CheckContext.which", lambda self, program: None)
    result = flowops("operate 1 --complete --json")
    assert result.exit_code == 3
    (problem,) = json.loads(result.stdout)["error"]["problems"]
    assert problem["message"].startswith("TASK-1.4 #5 is ticked but its check `verify: prom.rules` was skipped: "
                                         "promtool is not on PATH")


def test_no_verify_needs_a_reason_and_only_goes_with_complete(flowops, project):
    assert flowops("operate 1 --complete --no-verify").exit_code == 2
    assert "--no-verify needs --reason TEXT" in flowops("operate 1 --complete --no-verify").stderr
    assert flowops("operate 1 --no-verify --reason x").exit_code == 2


def test_no_verify_with_a_reason_completes_and_leaves_evidence_of_the_bypass(flowops, project, monkeypatch):
    finish_everything(flowops, project)
    break_probes(project)
    monkeypatch.setattr("flowops.checks.model.CheckContext.which", lambda self, program: None)
    result = flowops(["operate", "1", "--complete", "--no-verify", "--reason", "cluster API down; checked by hand", "--json"])
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["completed"] is True and data["verification"]["verified"] is False
    assert "workflow:Deployed" in feature_labels(project)
    events = [r["event"] for r in audit(project) if r.get("kind") == "event"]
    (skipped,) = [e for e in events if e["type"] == "workflow.verification_skipped"]
    assert skipped["data"]["reason"] == "cluster API down; checked by hand"
    assert {"taskId": "TASK-1.2", "index": 3, "check": "k8s.probes", "checked": True} in skipped["data"]["criteria"]
    assert [e["type"] for e in events][-4:] == ["workflow.transitioned", "workflow.verification_skipped",
                                                 "deploy.completed", "operate.completed"]
    assert not [r for r in audit(project) if r.get("kind") == "verification" and "--complete" in r["command"]]


def test_a_completed_verification_is_in_the_json_and_the_audit_log(flowops, project, promtool):
    finish_everything(flowops, project)
    result = flowops("operate 1 --complete --json")
    assert result.exit_code == 0, result
    verification = json.loads(result.stdout)["verification"]
    assert verification["verified"] is True and verification["summary"]["fail"] == 0
    assert verification["summary"]["pass"] == 15  # every bound criterion of the sre playbook
    (record,) = [r for r in audit(project) if r.get("kind") == "verification"]
    assert record["command"] == "operate TASK-1 --complete" and record["summary"]["pass"] == 15


def test_an_unticked_criterion_is_reported_as_unchecked_not_as_failed_evidence(flowops, project, promtool):
    finish_everything(flowops, project)
    break_probes(project)
    assert flowops("task edit 1.2 --uncheck-ac 3 -s 'In Progress'").exit_code == 0
    result = flowops("operate 1 --complete")
    assert result.exit_code == 3
    assert ("TASK-1.2 (ops:kubernetes) is In Progress, not Done; acceptance criteria #3 unchecked (1 of 11)"
            in result.stderr)
    assert "is ticked but" not in result.stderr
