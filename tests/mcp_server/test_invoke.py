"""A tool call runs the flowops command in-process: the CLI's own documents, exit codes as error kinds."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

import click
import pytest

from flowops.mcp_server.invoke import call_tool, run_in_process
from flowops.mcp_server.tools import get_tool
from tests.support.state import audit_log

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def project(repo, flowops, monkeypatch):
    """TASK-1 Validated with two criteria, TASK-2 in To Do, an SLO spec; the server's cwd is the root."""
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout service' -l workflow:Validated --ac 'p95 below 200 ms' "
                   "--ac 'error rate below 0.1 %'").exit_code == 0
    assert flowops("task create 'Payment service' --priority high").exit_code == 0
    (repo / "slo").mkdir()
    shutil.copy(DATA / "slo" / "specs" / "checkout.sloth.yml", repo / "slo" / "checkout.sloth.yml")
    monkeypatch.chdir(repo)
    return repo


def call(name, arguments=None):
    return call_tool(get_tool(name), arguments or {})


@pytest.mark.parametrize(("name", "arguments", "command"), [
    ("task_list", {"priority": "high"}, "task list --priority high --json"),
    ("task_view", {"task_id": "1"}, "task view 1 --json"),
    ("task_search", {"query": "checkout"}, "search checkout --json"),
    ("workflow_status", {"task_id": "TASK-1"}, "workflow status TASK-1 --json"),
    ("workflow_check", {"workflow": "operate", "task_id": "TASK-1"}, "workflow check operate TASK-1 --json"),
    ("operate_status", {"task_id": "TASK-1"}, "operate TASK-1 --status --json"),
    ("ac_lint", {"task_id": ["TASK-1"]}, "ac lint TASK-1 --json"),
    ("slo_budget", {"spec": ["slo/checkout.sloth.yml"]}, "slo budget slo/checkout.sloth.yml --json"),
])
def test_a_read_returns_the_document_the_cli_prints_with_json(project, flowops, name, arguments, command):
    outcome = call(name, arguments)
    assert outcome.ok, outcome.error
    expected = flowops(command)
    assert expected.exit_code == 0, expected
    assert outcome.structured() == json.loads(expected.stdout)
    assert outcome.texts()[0] == expected.stdout.rstrip("\n")


def test_exit_codes_become_error_kinds_with_the_clis_message_and_hint(project):
    blocked = call("workflow_advance", {"workflow": "operate", "task_id": "TASK-2"}).error
    assert (blocked.exit_code, blocked.kind) == (4, "blocked") and "requires Validated" in blocked.message
    criteria = call("ac_check", {"task_id": "TASK-1", "recursive": True}).error
    assert (criteria.exit_code, criteria.kind) == (3, "criteria")
    assert criteria.message == ("2 acceptance criteria unchecked: TASK-1 #1 p95 below 200 ms; "
                                "TASK-1 #2 error rate below 0.1 %")
    assert criteria.document["tasks"][0]["unchecked"][1] == {"number": 2, "text": "error rate below 0.1 %"}
    usage = call("task_create", {"title": "x", "due_date": "2026-02-30"}).error
    assert (usage.exit_code, usage.kind) == (2, "usage")
    assert usage.message == "Invalid value for 'due_date': '2026-02-30' does not match the format '%Y-%m-%d'."
    failure = call("task_edit", {"task_id": "TASK-7", "notes": "x"}).error
    assert (failure.exit_code, failure.kind, failure.message) == (1, "failure", "task TASK-7 not found")
    assert failure.hint and failure.to_dict() == {"exitCode": 1, "kind": "failure", "message": "task TASK-7 not found",
                                                  "hint": failure.hint}


def test_the_done_gate_refuses_unchecked_criteria_and_lists_them(project):
    before = sorted(p.read_bytes() for p in (project / "backlog" / "tasks").iterdir())
    error = call("task_edit", {"task_id": "TASK-1", "status": "Done"}).error
    assert (error.exit_code, error.kind) == (3, "criteria")
    assert "p95 below 200 ms" in error.text()
    assert sorted(p.read_bytes() for p in (project / "backlog" / "tasks").iterdir()) == before


def test_events_from_a_call_say_mcp_and_the_clis_do_not(project, flowops):
    assert call("task_edit", {"task_id": "TASK-2", "check_ac": [], "append_notes": ["from the agent"]}).ok
    assert flowops("task edit TASK-2 --append-notes 'from a person'").exit_code == 0
    records = [json.loads(line) for line in audit_log(project).read_text().splitlines()]
    updates = [r["event"] for r in records if r.get("kind") == "event" and r["event"]["type"] == "task.updated"]
    assert [event["source"] for event in updates] == [f"flowops:/{project.name}/mcp", f"flowops:/{project.name}"]


def test_a_required_handler_that_fails_after_the_write_is_a_failure_and_the_write_stays(project):
    (project / ".flowops" / "hooks.yaml").write_text(
        'version: 1\nhooks:\n  - {name: gate, events: ["task.*"], command: ["sh", "-c", "echo refused >&2; exit 3"], '
        "fail_mode: stop}\n")
    outcome = call("task_create", {"title": "Rollback drill"})
    assert outcome.error is not None and (outcome.error.exit_code, outcome.error.kind) == (1, "failure")
    assert outcome.error.message.startswith("event task.created: handler gate: failed (exit 3")
    assert outcome.error.message.endswith("exit code 3: refused")
    assert outcome.error.document["task"]["title"] == "Rollback drill"  # what the command printed before its exit
    assert list((project / "backlog" / "tasks").glob("task-3 - Rollback-drill.md"))


def test_warnings_come_with_the_result_and_not_in_the_document(project, flowops):
    outcome = call("hooks_emit", {"type": "deploy.completed", "task_id": "TASK-42", "dry_run": True})
    assert outcome.ok
    assert any("TASK-42" in warning for warning in outcome.warnings)
    assert outcome.texts()[1:] == ["\n".join(outcome.warnings)]
    assert outcome.structured()["event"]["type"] == "deploy.completed"


def test_a_crash_is_a_failure_naming_the_crash_log_and_the_next_call_works(project, monkeypatch):
    command = get_tool("task_view")
    from flowops.mcp_server.tools import command_of

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    saved = sys.stdin, sys.stdout, sys.stderr
    with monkeypatch.context() as patched:
        patched.setattr(command_of(command), "callback", explode)
        error = call("task_view", {"task_id": "1"}).error
    assert (error.exit_code, error.kind) == (1, "failure")
    assert error.message.startswith("unexpected RuntimeError: disk on fire (the full traceback is in ")
    assert (sys.stdin, sys.stdout, sys.stderr) == saved
    assert call("task_view", {"task_id": "1"}).ok


def test_a_command_reads_an_empty_stdin_never_the_protocol_stream(project, monkeypatch):
    seen = {}

    @click.command("probe")
    def probe():
        seen["stdin"] = sys.stdin.read()
        seen["answer"] = click.prompt("continue?", default="no")

    from flowops.cli import cli

    monkeypatch.setitem(cli.commands, "probe", probe)
    ran = run_in_process(["probe"])
    # End of file at once: the question is aborted (exit 1), nothing waits for an answer.
    assert seen == {"stdin": ""}
    assert (ran.exit_code, type(ran.raised)) == (1, click.Abort)


def test_calls_from_several_threads_run_one_at_a_time_and_keep_their_own_output(project):
    results: dict[str, list[str]] = {"1": [], "2": []}

    def worker(task: str) -> None:
        for _ in range(8):
            outcome = call("task_view", {"task_id": task})
            results[task].append(outcome.structured()["task"]["id"])

    threads = [threading.Thread(target=worker, args=(task,)) for task in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == {"1": ["TASK-1"] * 8, "2": ["TASK-2"] * 8}


def test_incidents_are_tools_too_with_the_incident_as_task_id(project, flowops):
    opened = call("incident_open", {"title": "Checkout returns 502", "severity": "critical", "by": "sre-agent"})
    assert opened.ok, opened.error
    incident = opened.structured()["incident"]["id"]
    assert call("incident_note", {"task_id": incident, "text": "rolled back to v41", "by": "sre-agent"}).ok
    shown = call("incident_show", {"task_id": incident})
    assert shown.structured() == json.loads(flowops(f"incident show {incident} --json").stdout)
    assert "rolled back to v41" in json.dumps(shown.structured())
    missing = call("incident_resolve", {"task_id": incident, "no_postmortem": True}).error
    assert (missing.kind, missing.message) == ("usage", "--no-postmortem needs --reason TEXT")


def test_discover_and_ac_verify_are_tools_once_their_commands_exist(project, flowops):
    if get_tool("ac_verify") is None or get_tool("discover") is None:
        pytest.skip("this flowops has no `ac verify` / `discover` yet")
    (project / "k8s").mkdir()
    (project / "k8s" / "service.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: checkout\nspec:\n  selector:\n    app: checkout\n"
        "  ports:\n    - port: 80\n      targetPort: 8080\n")
    found = call("discover")
    assert found.ok and found.structured() == json.loads(flowops("discover --json").stdout)
    assert "k8s/service.yaml" in json.dumps(found.structured())

    assert flowops("task create 'Runbook for checkout' --ac 'The runbook is written `verify: file docs/runbook.md`'"
                   ).exit_code == 0
    failing = call("ac_verify", {"task_id": ["TASK-3"]}).error
    assert (failing.exit_code, failing.kind) == (3, "criteria")
    assert failing.document is not None and "docs/runbook.md" in json.dumps(failing.document)
    (project / "docs").mkdir()
    (project / "docs" / "runbook.md").write_text("# Checkout runbook\n\nRestart the pods.\n")
    passing = call("ac_verify", {"task_id": "TASK-3", "update": True})
    assert passing.ok, passing.error
    assert json.loads(flowops("task view TASK-3 --json").stdout)["task"]["acceptanceCriteria"][0]["checked"] is True
    records = [json.loads(line) for line in audit_log(project).read_text().splitlines()]
    verified = [r["event"] for r in records if r.get("kind") == "event" and r["event"]["type"] == "ac.verified"]
    assert verified and verified[-1]["source"] == f"flowops:/{project.name}/mcp"


def _alive(kind: type) -> int:
    import gc

    return sum(isinstance(o, kind) for o in gc.get_objects())


@pytest.mark.parametrize(("name", "arguments", "kind"), [
    ("task_view", {"task_id": "TASK-99"}, "NotFoundError"),                      # a refusal of the domain
    ("workflow_advance", {"workflow": "operate", "task_id": "TASK-2"}, "BlockedError"),
    ("task_view", {"task_id": "TASK-1"}, "RuntimeError"),                        # a bug: a crash of the command
])
def test_a_failed_call_leaves_nothing_alive_for_the_collector_to_find(project, monkeypatch, name, arguments, kind):
    """A server runs for hours: a failed call's exception, traceback and frames (with what the
    command loaded) are freed as the call returns, not only by a cyclic collection."""
    import gc

    from flowops import errors

    if kind == "RuntimeError":
        import flowops.cli.task as task_cli

        def crash(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(task_cli, "_print_view_json", crash)
    exception = getattr(errors, kind, RuntimeError)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # as in `flowops mcp`'s calls: only reference counting frees anything
    try:
        before = _alive(exception)
        outcomes = [call(name, arguments) for _ in range(3)]
        assert all(not outcome.ok for outcome in outcomes), outcomes
        if kind == "RuntimeError":
            assert all("unexpected RuntimeError" in o.error.message for o in outcomes), outcomes[0].error
        del outcomes
        assert _alive(exception) == before
    finally:
        if was_enabled:
            gc.enable()
