"""`flowops ac verify`, `ac bind`, `ac unbind`, `ac checks`: criteria judged by evidence from the repository."""

from __future__ import annotations

import json

import pytest

from flowops.backlog.store import Backlog
from flowops.project import Project
from tests.support.evidence import copy_shop, git
from tests.support.state import audit_log


@pytest.fixture
def shop(repo, flowops):
    copy_shop(repo)
    assert flowops("init").exit_code == 0
    return repo


def create(flowops, title, *criteria, parent=None):
    args = ["task", "create", title] + [a for c in criteria for a in ("--ac", c)] + (["-p", parent] if parent else [])
    result = flowops(args)
    assert result.exit_code == 0, result
    return result.stdout.split()[2]


def task(repo, task_id):
    return Backlog(Project(repo)).get(task_id)


def audit(repo):
    path = audit_log(repo)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_bound_checks_run_unbound_criteria_are_manual_and_a_failure_exits_3(flowops, shop):
    create(flowops, "Kubernetes", "Resources set `verify: k8s.resources k8s/base`", "Probes `verify: k8s.probes`",
           "Reviewed by the SRE on call")
    result = flowops("ac verify 1 --plain")
    assert result.exit_code == 3, result
    lines = result.stdout.splitlines()
    assert lines[0] == "TASK-1 Kubernetes"
    assert lines[1] == "  #1 [ ] PASS `verify: k8s.resources k8s/base`  Resources set"
    assert "  #2 [ ] FAIL `verify: k8s.probes`  Probes" in lines
    assert "      deploy/shop.yaml:76 Deployment/checkout container api: no readinessProbe and no livenessProbe" in lines
    assert "  #3 [ ] MANUAL  Reviewed by the SRE on call" in lines
    assert lines[-1].startswith("1 pass, 1 fail, 0 skipped, 0 error, 1 manual (")


def test_exit_0_when_every_bound_check_passes(flowops, shop):
    create(flowops, "Payments", "Resources `verify: k8s.resources k8s/base`", "A manual one")
    assert flowops("ac verify 1").exit_code == 0


def test_skipped_and_error_results_do_not_pass(flowops, shop):
    create(flowops, "Tools", "Lint `verify: cmd kubeconform-missing -strict k8s/`")
    create(flowops, "Typo", "Broken `verify: k8s.nosuch`")
    first, second = flowops("ac verify 1 --json"), flowops("ac verify 2 --json")
    assert (first.exit_code, json.loads(first.stdout)["results"][0]["status"]) == (3, "skipped")
    assert (second.exit_code, json.loads(second.stdout)["results"][0]["status"]) == (3, "error")


def test_usage_errors_exit_2(flowops, shop):
    create(flowops, "A", "x `verify: k8s.hpa`")
    assert flowops("ac verify").exit_code == 2
    assert flowops("ac verify 1 --dry-run --update").exit_code == 2


def test_json_has_the_documented_shape(flowops, shop):
    create(flowops, "Kubernetes", "HPA `verify: k8s.hpa`", "manual")
    data = json.loads(flowops("ac verify 1 --json").stdout)
    assert (data["schemaVersion"], data["kind"]) == (1, "ac-verify")
    assert data["summary"] == {"pass": 0, "fail": 1, "skipped": 0, "error": 0, "manual": 1}
    first = data["results"][0]
    assert {"taskId", "index", "text", "check", "status", "evidence", "durationMs"} <= set(first)
    assert (first["taskId"], first["index"], first["text"], first["check"]) == ("TASK-1", 1, "HPA", "k8s.hpa")
    assert {"path", "line", "message"} == set(first["evidence"][0])


def test_recursive_verifies_the_subtasks_too(flowops, shop):
    create(flowops, "Feature", "manual")
    create(flowops, "Kubernetes", "Probes `verify: k8s.probes k8s/base`", parent="TASK-1")
    assert [r["taskId"] for r in json.loads(flowops("ac verify 1 --json").stdout)["results"]] == ["TASK-1"]
    data = json.loads(flowops("ac verify 1 --recursive --json").stdout)
    assert [(r["taskId"], r["status"]) for r in data["results"]] == [("TASK-1", "manual"), ("TASK-1.1", "pass")]


def test_update_ticks_passes_and_unticks_failures_in_one_write_and_emits_ac_verified(flowops, shop, monkeypatch):
    create(flowops, "Kubernetes", "Payments resources `verify: k8s.resources k8s/base`", "Probes `verify: k8s.probes`",
           "manual")
    assert flowops("task edit 1 --check-ac 2 --check-ac 3").exit_code == 0
    writes = []
    original = Backlog.update

    def counting(self, task_id, mutate, **kwargs):
        writes.append(task_id)
        return original(self, task_id, mutate, **kwargs)

    monkeypatch.setattr(Backlog, "update", counting)
    result = flowops("ac verify 1 --update --json")
    assert result.exit_code == 3
    assert writes == ["TASK-1"]
    assert [c.checked for c in task(shop, "TASK-1").acceptance_criteria] == [True, False, True]
    assert json.loads(result.stdout)["updated"] == [{"taskId": "TASK-1", "checked": [1], "unchecked": [2]}]
    (event,) = [r["event"] for r in audit(shop) if r.get("kind") == "event" and r["event"]["type"] == "ac.verified"]
    assert (event["subject"], event["data"]["checked"], event["data"]["unchecked"]) == ("TASK-1", [1], [2])
    assert event["data"]["summary"] == {"pass": 1, "fail": 1, "skipped": 0, "error": 0, "manual": 1}


def test_every_verification_is_recorded_with_the_commit_and_whether_the_tree_was_dirty(flowops, shop):
    create(flowops, "Payments", "Resources `verify: k8s.resources k8s/base`")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "shop")
    head = git(shop, "rev-parse", "HEAD").strip()
    assert flowops("ac verify 1").exit_code == 0
    (shop / "k8s" / "base" / "service.yaml").write_text("# changed\n")
    assert flowops("ac verify 1").exit_code == 0
    clean, dirty = [r for r in audit(shop) if r.get("kind") == "verification"]
    assert (clean["commit"], clean["dirty"], clean["type"]) == (head, False, "ac.verify")
    assert (dirty["commit"], dirty["dirty"]) == (head, True)
    assert clean["results"] == [{"taskId": "TASK-1", "index": 1, "check": "k8s.resources k8s/base", "status": "pass",
                                 "summary": "1 container of 1 workload with cpu and memory requests and limits"}]
    assert flowops("hooks log --verify").exit_code == 0  # the chain stays intact


def test_ticking_a_criterion_does_not_make_the_tree_dirty(flowops, shop):
    create(flowops, "Payments", "Resources `verify: k8s.resources k8s/base`")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "shop")
    assert flowops("task edit 1 --check-ac 1").exit_code == 0
    result = flowops("ac verify 1 --json")
    assert json.loads(result.stdout)["dirty"] is False


def test_dry_run_shows_what_would_run_and_runs_nothing(flowops, shop):
    marker = shop / "ran"
    create(flowops, "Tests", f"Suite passes `verify: cmd touch {marker}`", "HPA `verify: k8s.hpa`", "Bad `verify: k8s.nope`")
    result = flowops("ac verify 1 --dry-run --plain")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"TASK-1 #1 `verify: cmd touch {marker}`  runs: touch {marker} (in {shop}, no shell)",
        "TASK-1 #2 `verify: k8s.hpa`  reads: Deployments, StatefulSets, HorizontalPodAutoscalers and KEDA ScaledObjects",
        "TASK-1 #3 `verify: k8s.nope`  cannot run: unknown check 'k8s.nope' (known: cmd, file, gha.permissions, "
        "gha.pinned, gha.provenance, gha.sbom, k8s.hpa, k8s.netpol, k8s.nonroot, k8s.pdb, k8s.probes, k8s.rbac, "
        "k8s.resources, ops.runbooks, prom.alerts, prom.rules, slo.rules, slo.specs)",
    ]
    assert not marker.exists()
    run = flowops("ac verify 1")
    assert marker.exists()
    assert f"running `touch {marker}` in {shop} for TASK-1 #1" in run.stderr


def test_bind_writes_the_check_into_the_criterion_and_keeps_its_tick(flowops, shop):
    create(flowops, "Kubernetes", "A HorizontalPodAutoscaler keeps minReplicas at 3 or more")
    assert flowops("task edit 1 --check-ac 1").exit_code == 0
    result = flowops("ac bind 1 1 -- k8s.hpa --min 3")
    assert result.exit_code == 0, result
    (criterion,) = task(shop, "TASK-1").acceptance_criteria
    assert criterion.text == "A HorizontalPodAutoscaler keeps minReplicas at 3 or more `verify: k8s.hpa --min 3`"
    assert criterion.checked
    assert flowops("ac bind 1 1 -- k8s.hpa --min 2").exit_code == 0
    assert task(shop, "TASK-1").acceptance_criteria[0].text.endswith("`verify: k8s.hpa --min 2`")
    updated = [r["event"] for r in audit(shop) if r.get("kind") == "event" and r["event"]["type"] == "task.updated"]
    assert updated[-1]["data"]["changed"] == ["acceptance_criteria"]


def test_bind_refuses_unknown_checks_bad_arguments_and_missing_criteria(flowops, shop):
    create(flowops, "Kubernetes", "one")
    before = task(shop, "TASK-1").acceptance_criteria[0].text
    for args, message in (("ac bind 1 1 -- k8s.hap", "unknown check 'k8s.hap'"),
                          ("ac bind 1 1 -- k8s.hpa --min lots", "--min 'lots' is not a valid value"),
                          ("ac bind 1 4 -- k8s.hpa", "acceptance criterion #4 does not exist on TASK-1"),
                          ("ac bind 1 1 -- cmd", "name the program to run")):
        result = flowops(args)
        assert result.exit_code == 2, (args, result)
        assert message in result.stderr, (args, result.stderr)
    assert task(shop, "TASK-1").acceptance_criteria[0].text == before


def test_unbind_makes_the_criterion_manual_again(flowops, shop):
    create(flowops, "Kubernetes", "Probes everywhere `verify: k8s.probes`")
    assert flowops("ac unbind 1 1").stdout == "TASK-1 #1: Probes everywhere\n"
    assert "is not bound" in flowops("ac unbind 1 1").stdout
    assert json.loads(flowops("ac verify 1 --json").stdout)["results"][0]["status"] == "manual"


def test_ac_checks_lists_every_check_with_its_usage(flowops, shop):
    data = json.loads(flowops("ac checks --json").stdout)["checks"]
    usage = {row["name"]: row["usage"] for row in data}
    assert usage["cmd"] == "cmd [--timeout SECONDS] PROGRAM [ARG...]"
    assert usage["k8s.hpa"] == "k8s.hpa [--min N] [PATH...]"
    assert all(row["plugin"] == "checks" for row in data)
