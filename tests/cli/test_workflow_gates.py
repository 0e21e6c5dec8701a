"""Workflow moves pass their gates: criteria checked, bound criteria verified, declared plugins present."""

from __future__ import annotations

import json

import pytest

from flowops.backlog.store import Backlog
from flowops.hookspecs import hookimpl
from flowops.project import Project
from tests.support.evidence import copy_shop
from tests.support.plugins import install_plugin  # noqa: F401 (a fixture)
from tests.support.state import audit_log


@pytest.fixture
def feature(flowops, repo):
    copy_shop(repo)
    assert flowops("init").exit_code == 0
    result = flowops(["task", "create", "Checkout", "-l", "workflow:In Implementation",
                      "--ac", "Payments resources set `verify: k8s.resources k8s/base`",
                      "--ac", "Every Deployment is probed `verify: k8s.probes`",
                      "--ac", "Reviewed by the on-call SRE"])
    assert result.exit_code == 0, result
    return repo


def labels(repo):
    return Backlog(Project(repo)).get("TASK-1").labels


def audit(repo, kind="event"):
    lines = audit_log(repo).read_text().splitlines()
    return [json.loads(line) for line in lines if json.loads(line).get("kind") == kind]


def test_validate_is_refused_while_criteria_are_unchecked(flowops, feature):
    result = flowops("workflow advance validate 1")
    assert result.exit_code == 3, result
    assert "TASK-1 cannot move to Validated: the gates criteria_checked, criteria_verified not met" in result.stderr
    assert "      #3 Reviewed by the on-call SRE" in result.stderr
    assert "workflow:In Implementation" in labels(feature)


def test_a_ticked_criterion_whose_check_fails_blocks_with_its_evidence(flowops, feature):
    assert flowops("task edit 1 --check-ac 1 --check-ac 2 --check-ac 3").exit_code == 0
    result = flowops("workflow advance validate 1")
    assert result.exit_code == 3, result
    assert "the gate criteria_verified not met" in result.stderr
    assert "#2 `verify: k8s.probes` FAIL: 1 container without readiness or liveness probes" in result.stderr
    assert "deploy/shop.yaml:76 Deployment/checkout container api: no readinessProbe and no livenessProbe" in result.stderr
    assert "workflow:In Implementation" in labels(feature)
    (verification,) = audit(feature, "verification")
    assert verification["command"] == "gate criteria_verified: validate TASK-1 In Implementation -> Validated"


def test_workflow_check_says_why_without_moving(flowops, feature):
    assert flowops("task edit 1 --check-ac 1 --check-ac 2 --check-ac 3").exit_code == 0
    result = flowops("workflow check validate 1")
    assert result.exit_code == 4
    assert "criteria_verified: 1 of 2 bound criteria do not pass their check" in result.stderr


def test_when_the_evidence_is_there_the_move_happens(flowops, feature):
    assert flowops("ac bind 1 2 -- k8s.probes k8s/base").exit_code == 0
    assert flowops("task edit 1 --check-ac 1 --check-ac 2 --check-ac 3").exit_code == 0
    result = flowops("workflow advance validate 1 --json")
    assert result.exit_code == 0, result
    moved = json.loads(result.stdout)
    assert (moved["to"], moved["gates"]) == ("Validated", ["criteria_checked", "criteria_verified"])


def test_no_verify_skips_only_the_verification_and_is_recorded(flowops, feature):
    assert flowops("workflow advance validate 1 --no-verify").exit_code == 2  # no reason
    assert flowops("workflow advance validate 1 --no-verify --reason 'cluster down'").exit_code == 3  # still unchecked
    assert flowops("task edit 1 --check-ac 1 --check-ac 2 --check-ac 3").exit_code == 0
    result = flowops("workflow advance validate 1 --no-verify --reason 'staging cluster is down, verified by hand'")
    assert result.exit_code == 0, result
    assert "workflow:Validated" in labels(feature)
    (skipped,) = [r["event"] for r in audit(feature) if r["event"]["type"] == "workflow.verification_skipped"]
    assert skipped["data"]["reason"] == "staging cluster is down, verified by hand"
    assert [c["check"] for c in skipped["data"]["criteria"]] == ["k8s.resources k8s/base", "k8s.probes"]
    assert "verification skipped" in result.stderr


def test_a_transition_gate_applies_to_workflow_set(flowops, feature):
    workflow = feature / ".flowops" / "workflow.yml"
    workflow.write_text(workflow.read_text().replace(
        "  - {from: Deployed, to: Validated, via: rollback}",
        "  - {from: Deployed, to: Validated, via: rollback, gates: [criteria_verified]}"))
    assert flowops("task edit 1 --remove-label 'workflow:In Implementation' --add-label workflow:Deployed").exit_code == 0
    result = flowops("workflow set 1 Validated --via rollback")
    assert result.exit_code == 3 and "the gate criteria_verified not met" in result.stderr
    assert "deploy/shop.yaml:76 Deployment/checkout container api: no readinessProbe" in result.stderr


class ChangeFreeze:
    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        return None


def test_a_plugin_gate_blocks_while_the_plugin_is_missing(flowops, feature, install_plugin):
    workflow = feature / ".flowops" / "workflow.yml"
    workflow.write_text(workflow.read_text().replace("gates: [criteria_checked, criteria_verified]",
                                                     "gates: [plugin:change-freeze]"))
    result = flowops("workflow advance validate 1")
    assert result.exit_code == 4, result
    assert "gate plugin:change-freeze: plugin 'change-freeze' is not loaded" in result.stderr
    install_plugin("change-freeze", ChangeFreeze())
    assert flowops("workflow advance validate 1").exit_code == 0
