"""`flowops operate ID --complete` and `--status`: the completion gate, the move to Deployed, deploy.completed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from flowops.backlog.store import Backlog
from flowops.hookspecs import hookimpl
from flowops.project import Project
from tests.support.plugins import install_plugin  # noqa: F401  (pytest fixture)
from tests.support.runbooks import written
from tests.support.state import audit_log

ALERTS = Path(__file__).resolve().parents[1] / "data" / "alerts"
# A service repository where every check the sre playbook binds passes (its alerts are those
# of alerts/prometheus_rules.yml, with the annotations prom.alerts asks for).
READY = Path(__file__).resolve().parents[1] / "data" / "evidence" / "ready"

RECORDER = """\
version: 1
hooks:
  - name: deploy-recorder
    events: ["deploy.completed"]
    command: ["sh", "-c", "cat > deploy-event.json"]
"""


@pytest.fixture
def project(repo, flowops):
    """TASK-1 in Validated, its sre tasks and three runbooks created, a handler recording deploy.completed."""
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout service' -l workflow:Validated").exit_code == 0
    shutil.copytree(READY, repo, dirs_exist_ok=True)
    (repo / ".flowops" / "hooks.yaml").write_text(RECORDER)
    config = repo / ".flowops" / "config.toml"
    config.write_text(config.read_text().replace("alerts = []", 'alerts = ["monitoring/alerts.yml"]'))
    result = flowops("operate 1 --plain")
    assert result.exit_code == 0, result
    return repo


def backlog(repo) -> Backlog:
    return Backlog(Project(repo))


def ops_task_ids(repo) -> list[str]:
    listing = backlog(repo).load(("tasks", "completed"), use_cache=False)
    return [t.id for t in listing.tasks if any(label.startswith("ops:") for label in t.labels)]


def finish_task(flowops, repo, task_id: str) -> None:
    task = backlog(repo).get(task_id)
    checks = " ".join(f"--check-ac {c.index}" for c in task.acceptance_criteria)
    result = flowops(f"task edit {task_id} {checks} -s Done")
    assert result.exit_code == 0, result


def fill_runbook(path: Path) -> None:
    """What a person does: write every section in place of its skeleton."""
    path.write_text(written(path.read_text()))


def finish_everything(flowops, repo) -> None:
    for task_id in ops_task_ids(repo):
        finish_task(flowops, repo, task_id)
    for path in sorted((repo / "backlog" / "docs").glob("doc-*.md")):
        fill_runbook(path)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def feature_labels(repo) -> list[str]:
    return backlog(repo).get("TASK-1").labels


# -- refused -----------------------------------------------------------------------------------


def test_complete_is_refused_with_a_precise_list_and_nothing_written(flowops, project):
    finish_task(flowops, project, "TASK-1.1")
    assert flowops("task edit 1.2 --check-ac 1 --check-ac 3").exit_code == 0
    fill_runbook(project / "backlog" / "docs" / "doc-1 - Runbook-HighErrorRate.md")
    doc2 = project / "backlog" / "docs" / "doc-2 - Runbook-High-Latency.md"
    doc2.write_text(doc2.read_text().replace("## Rollback", "## Notes"))  # the author deleted a section
    before = snapshot(project)
    log_before = audit_log(project).read_bytes()
    result = flowops("operate 1 --complete")
    assert result.exit_code == 3, result
    problems = [line[4:] for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert problems == [
        "TASK-1.2 (ops:kubernetes) is To Do, not Done; acceptance criteria #2, #4, #5, #6, #7, #8, #9, #10, #11 unchecked "
        "(9 of 11)",
        "TASK-1.3 (ops:observability) is To Do, not Done; acceptance criteria #1, #2, #3, #4, #5 unchecked (5 of 5)",
        "TASK-1.4 (ops:slo) is To Do, not Done; acceptance criteria #1, #2, #3, #4, #5, #6, #7 unchecked (7 of 7)",
        "TASK-1.5 (ops:runbook:high-error-rate) is To Do, not Done; acceptance criteria #1, #2, #3, #4, #5 unchecked (5 of 5)",
        "TASK-1.6 (ops:runbook:high-latency) is To Do, not Done; acceptance criteria #1, #2, #3, #4, #5 unchecked (5 of 5)",
        "TASK-1.6 (ops:runbook:high-latency): runbook document doc-2 still has skeleton sections: Symptoms, Diagnosis, "
        "Resolution, Rollback, "
        "Escalation",
        "TASK-1.7 (ops:runbook:checkout-down) is To Do, not Done; acceptance criteria #1, #2, #3, #4, #5 unchecked (5 of 5)",
        "TASK-1.7 (ops:runbook:checkout-down): runbook document doc-3 still has skeleton sections: Symptoms, Diagnosis, "
        "Resolution, Rollback, "
        "Escalation",
    ]
    assert "TASK-1 cannot be marked Deployed: 8 operations items not finished" in result.stderr
    after = snapshot(project)
    new_records = audit_log(project).read_bytes()[len(log_before):].decode().splitlines()
    assert after == before
    # The only trace of the refusal: the verification it ran, in the audit log.
    assert [json.loads(line)["kind"] for line in new_records] == ["verification"]
    assert not (project / "deploy-event.json").exists()


def test_a_runbook_whose_only_gap_is_its_document_still_blocks(flowops, project, promtool):
    finish_everything(flowops, project)
    doc3 = project / "backlog" / "docs" / "doc-3 - Runbook-CheckoutDown.md"
    doc3.write_text(doc3.read_text() + "\n## Escalation\n\n- TODO(runbook): who is paged\n")
    result = flowops("operate 1 --complete --json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["completed"] is False
    assert [p["message"] for p in data["error"]["problems"]] == [
        "TASK-1.7 (ops:runbook:checkout-down): runbook document doc-3 still has skeleton sections: Escalation",
        # The ticked "each alert has a written runbook" criterion is not trusted over the evidence either.
        "TASK-1.4 #7 is ticked but its check `verify: ops.runbooks` fails: 1 missing or unwritten runbook part\n"
        "      backlog/docs/doc-3 - Runbook-CheckoutDown.md:61 runbook doc-3 for CheckoutDown: TODO(runbook) marker: "
        "who is paged",
    ]


def test_a_missing_task_is_a_gap_until_operate_runs(flowops, project):
    finish_everything(flowops, project)
    result = flowops("operate 1 --complete --playbook sre --playbook mlops")
    assert result.exit_code == 3
    assert "no task for ops:mlops:data-drift (playbook mlops): run `flowops operate TASK-1` first" in result.stderr


# -- accepted -----------------------------------------------------------------------------------


def test_complete_after_the_work_moves_to_deployed_and_a_handler_receives_deploy_completed(flowops, project, promtool):
    finish_everything(flowops, project)
    result = flowops("operate 1 --complete --spec-id checkout -f k8s -f monitoring/alerts.yml --plain")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == "TASK-1: Validated -> Deployed (via operate)"
    assert "workflow:Deployed" in feature_labels(project)
    event = json.loads((project / "deploy-event.json").read_text())
    assert event["type"] == "deploy.completed" and event["subject"] == "TASK-1"
    assert event["data"]["spec_id"] == "checkout" and event["data"]["task_id"] == "TASK-1"
    assert event["data"]["ops_task_ids"] == [f"TASK-1.{n}" for n in range(1, 8)]
    assert event["data"]["files"] == ["k8s", "monitoring/alerts.yml"]
    log = [json.loads(line) for line in audit_log(project).read_text().splitlines()]
    types = [r["event"]["type"] for r in log if r.get("kind") == "event"]
    assert types[-3:] == ["workflow.transitioned", "deploy.completed", "operate.completed"]
    again = flowops("operate 1 --complete")
    assert again.exit_code == 4 and "it is in Deployed" in again.stderr


def test_spec_id_and_files_come_from_the_config(flowops, project, promtool):
    finish_everything(flowops, project)
    config = project / ".flowops" / "config.toml"
    text = config.read_text().replace("files = []", 'files = [".github/workflows/release.yml"]')
    config.write_text(text.replace("[operate]", '[operate]\nspec_id = "checkout-v2"'))
    result = flowops("operate 1 --complete --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["completed"] is True and data["spec_id"] == "checkout-v2"
    assert data["files"] == [".github/workflows/release.yml"]
    event = json.loads((project / "deploy-event.json").read_text())
    assert event["data"]["files"] == [".github/workflows/release.yml"]
    assert "does not exist" in result.stderr  # the bus keeps a missing path, with a warning


def test_complete_dry_run_says_the_gate_passes_and_writes_nothing(flowops, project, promtool):
    finish_everything(flowops, project)
    before = snapshot(project)
    result = flowops("operate 1 --complete --dry-run --plain")
    assert result.exit_code == 0, result
    assert "the gate passes for 7 operations tasks" in result.stdout
    assert snapshot(project) == before


def test_a_file_outside_the_repository_is_refused_before_anything_moves(flowops, project, tmp_path):
    finish_everything(flowops, project)
    result = flowops(f"operate 1 --complete -f {tmp_path}")
    assert result.exit_code == 2
    assert "outside the repository" in result.stderr
    assert "workflow:Validated" in feature_labels(project)


def test_complete_outside_validated_exits_4(flowops, project):
    assert flowops("task edit 1 --remove-label workflow:Validated --add-label 'workflow:In Implementation'").exit_code == 0
    result = flowops("operate 1 --complete")
    assert result.exit_code == 4
    assert "requires Validated" in result.stderr


class Freeze:
    """A plugin that refuses every deployment (a change freeze)."""

    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        return "change freeze until Monday" if to_state == "Deployed" else None


def test_a_plugin_veto_exits_4_and_writes_nothing(flowops, project, promtool, install_plugin):
    install_plugin("freeze", Freeze())
    finish_everything(flowops, project)
    result = flowops("operate 1 --complete")
    assert result.exit_code == 4, result
    assert "plugin 'freeze' refused" in result.stderr and "change freeze until Monday" in result.stderr
    assert "workflow:Validated" in feature_labels(project)
    assert not (project / "deploy-event.json").exists()


def test_an_orphaned_runbook_does_not_block_completion(flowops, project, promtool):
    finish_everything(flowops, project)
    assert flowops("task edit 1.7 -s 'In Progress'").exit_code == 0
    rules = project / "monitoring" / "alerts.yml"
    rules.write_text(rules.read_text().split("      - alert: CheckoutDown")[0])
    result = flowops("operate 1 --complete --json")
    assert result.exit_code == 0, result
    assert "TASK-1.7" not in json.loads(result.stdout)["ops_task_ids"]


# -- --status -------------------------------------------------------------------------------------


def test_status_counts_tasks_criteria_and_runbooks_per_area(flowops, project):
    finish_task(flowops, project, "TASK-1.1")
    assert flowops("task edit 1.2 --check-ac 1 --check-ac 3").exit_code == 0
    fill_runbook(project / "backlog" / "docs" / "doc-1 - Runbook-HighErrorRate.md")
    result = flowops("operate 1 --status --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    areas = {a["area"]: a for a in data["areas"]}
    assert areas["cicd"] == {"area": "cicd", "tasks_done": 1, "tasks_total": 1, "ac_checked": 9, "ac_total": 9, "missing": 0}
    assert areas["kubernetes"]["ac_checked"] == 2 and areas["kubernetes"]["tasks_done"] == 0
    assert areas["runbook"]["tasks_total"] == 3 and areas["runbook"]["ac_total"] == 15
    assert data["runbooks"]["filled"] == 1 and data["runbooks"]["total"] == 3
    assert sorted(data["runbooks"]["unfilled"]) == ["doc-2", "doc-3"]
    assert data["ready"] is False


def test_status_plain_shows_a_row_per_area(flowops, project):
    result = flowops("operate 1 --status --plain")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "TASK-1 Checkout service [Validated]"
    assert lines[1].split() == ["area", "tasks", "done", "criteria", "checked", "without", "a", "task"]
    assert lines[2].split() == ["cicd", "0/1", "0/9", "0"]
    assert "runbook documents filled in: 0/3" in result.stdout


def test_complete_and_status_together_is_a_usage_error(flowops, project):
    assert flowops("operate 1 --complete --status").exit_code == 2
    assert flowops("operate 1 --spec-id x").exit_code == 2

