"""`flowops hooks emit` and `cli_emitter`: exit codes, output modes, suppression."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import click
import pytest

from flowops.cli import cli
from tests.events.conftest import audit_records


def write_hooks(repo, text):
    (repo / ".flowops").mkdir(exist_ok=True)
    (repo / ".flowops" / "hooks.yaml").write_text(textwrap.dedent(text).lstrip())


STOPPING = """
version: 1
hooks:
  - {name: gate, events: ["deploy.*"], command: ["sh", "-c", "exit 5"], fail_mode: stop}
  - {name: after, events: ["deploy.*"], command: ["sh", "-c", "touch after-ran"]}
"""


def test_emit_prints_the_event_and_each_result(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: ok, events: ["deploy.*"], command: ["true"]}\n')
    result = flowops("hooks emit deploy.completed --spec-id checkout --task-id TASK-12 --plain")
    assert result.exit_code == 0, result
    first, second = result.stdout.splitlines()
    assert first.startswith("deploy.completed ") and first.endswith(" recorded")
    assert second.startswith("ok: ok (exit 0, ")


def test_emit_json_is_one_document_with_event_and_results(flowops, repo):
    (repo / "k8s" / "checkout").mkdir(parents=True)
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: ok, events: ["deploy.*"], command: ["true"]}\n')
    result = flowops(
        ["hooks", "emit", "deploy.completed", "--spec-id", "checkout", "--task-id", "TASK-12", "-f", "k8s/checkout/", "-f", "gone.yml",
         "--json-data", '{"region": "eu", "replicas": 3}', "--data", "region=us", "--json"]
    )
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    assert doc["event"]["data"] == {"spec_id": "checkout", "task_id": "TASK-12", "files": ["k8s/checkout", "gone.yml"],
                                    "region": "us", "replicas": 3}
    assert doc["event"]["subject"] == "TASK-12" and doc["event"]["specversion"] == "1.0"
    assert [(r["handler"], r["ok"]) for r in doc["results"]] == [("ok", True)]
    assert doc["ok"] is True and doc["exit_code"] == 0
    assert result.stderr == "warning: file gone.yml does not exist\n"


def test_files_are_relative_to_the_current_folder(flowops, repo):
    (repo / "k8s").mkdir()
    (repo / "k8s" / "svc.yaml").write_text("x")
    result = flowops("hooks emit deploy.completed -f svc.yaml --json", cwd=repo / "k8s")
    assert json.loads(result.stdout)["event"]["data"]["files"] == ["k8s/svc.yaml"]


@pytest.mark.parametrize(
    "args",
    [
        "hooks emit Deploy",
        "hooks emit deploy",
        "hooks emit a.b --data novalue",
        "hooks emit a.b --json-data [1]",
        "hooks emit a.b --json-data {bad",
        "hooks emit a.b -f ../../outside.txt",
        "hooks emit a.b --plain --json",
    ],
)
def test_usage_errors_exit_2(flowops, args):
    result = flowops(args)
    assert result.exit_code == 2, result
    assert result.stdout == ""


def test_a_broken_hooks_file_exits_2_naming_file_and_line(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: x, events: ["a.b"], command: ["true"], timeout: 601}\n')
    result = flowops("hooks emit a.b")
    assert result.exit_code == 2
    assert ".flowops/hooks.yaml:3, field 'hooks[0].timeout': hook 'x': timeout must be" in result.stderr


def test_a_failed_stop_handler_exits_1_and_skips_the_rest(flowops, repo):
    write_hooks(repo, STOPPING)
    result = flowops("hooks emit deploy.completed --plain")
    assert result.exit_code == 1, result
    assert "gate: failed (exit 5" in result.stdout and "after: skipped (gate failed with fail_mode: stop)" in result.stdout
    assert "error: handler gate failed and has fail_mode: stop" in result.stderr
    assert not (repo / "after-ran").exists()


def test_strict_fails_on_any_failed_handler(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: soft, events: ["a.*"], command: ["false"]}\n')
    assert flowops("hooks emit a.b").exit_code == 0
    assert flowops("hooks emit a.b --strict").exit_code == 1


def test_dry_run_shows_handlers_and_runs_none(flowops, repo):
    write_hooks(repo, STOPPING)
    result = flowops("hooks emit deploy.completed --dry-run --plain")
    assert result.exit_code == 0, result
    assert "dry run, not recorded" in result.stdout.splitlines()[0]
    assert "gate: skipped (dry run: would run command: sh -c 'exit 5')" in result.stdout
    assert audit_records(repo) == []


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_hooks_records_without_delivering(flowops, repo, how):
    write_hooks(repo, STOPPING)
    if how == "flag":
        result = flowops("--no-hooks hooks emit deploy.completed --plain")
    else:
        result = flowops("hooks emit deploy.completed --plain", env={"FLOWOPS_NO_HOOKS": "1"})
    assert result.exit_code == 0, result
    assert "delivery suppressed" in result.stdout
    assert [r["kind"] for r in audit_records(repo)] == ["event"]


# --- cli_emitter: how store-changing commands emit -------------------------------------


@click.command("probe-write")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def probe_write(ctx, as_json):
    """Stands for a task command: writes, emits, then prints its own result."""
    from flowops.cli.emitting import cli_emitter
    from flowops.project import find_project

    project = find_project()
    (project.root / "written.txt").write_text("done")
    cli_emitter(ctx, project)("task.created", "TASK-1", {"title": "Ship it"})
    click.echo(json.dumps({"id": "TASK-1"}) if as_json else "Created TASK-1")


@pytest.fixture
def probe_command(monkeypatch):
    monkeypatch.setitem(cli.commands, "probe-write", probe_write)


def test_store_commands_emit_after_the_write(flowops, repo, probe_command):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: rec, events: ["task.*"], command: ["sh", "-c", "cat > got.json"]}\n')
    result = flowops("probe-write")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Created TASK-1\n", "")
    got = json.loads((repo / "got.json").read_text())
    assert (got["type"], got["subject"], got["data"]["title"]) == ("task.created", "TASK-1", "Ship it")


def test_a_failed_required_handler_makes_the_command_exit_1_after_its_output(flowops, repo, probe_command):
    write_hooks(repo, 'version: 1\nhooks:\n'
                      '  - {name: gate, events: ["task.*"], command: ["sh", "-c", "echo nope >&2; exit 3"], fail_mode: stop}\n')
    result = flowops("probe-write --json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"id": "TASK-1"}  # stdout stays the command's own, complete
    assert result.stderr == "error: event task.created: handler gate: failed (exit 3, " + result.stderr.split("(exit 3, ", 1)[1]
    assert result.stderr.rstrip().endswith("ms): exit code 3: nope")
    assert (repo / "written.txt").exists()


def test_a_failed_optional_handler_only_warns(flowops, repo, probe_command):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: soft, events: ["task.*"], command: ["false"]}\n')
    result = flowops("probe-write")
    assert result.exit_code == 0 and result.stdout == "Created TASK-1\n"
    assert result.stderr.startswith("error: event task.created: handler soft: failed")


def test_a_broken_hooks_file_does_not_undo_the_write(flowops, repo, probe_command):
    write_hooks(repo, "version: 1\nhooks: {}\n")
    result = flowops("probe-write")
    assert result.exit_code == 1 and result.stdout == "Created TASK-1\n"
    assert result.stderr.startswith("error: event task.created was not delivered:")
    assert [r["kind"] for r in audit_records(repo)] == ["event", "error"]


def test_no_hooks_flag_suppresses_delivery_for_store_commands(flowops, repo, probe_command):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: gate, events: ["task.*"], command: ["false"], fail_mode: stop}\n')
    result = flowops("--no-hooks probe-write")
    assert (result.exit_code, result.stderr) == (0, "")
    assert [r["kind"] for r in audit_records(repo)] == ["event"]


# --- start-up cost: heavy libraries only when needed -----------------------------------------


def imported_after_emit(repo, *args) -> list[str]:
    code = (
        "import sys; from flowops.cli import main; rc = main(['hooks', 'emit', *sys.argv[1:]]);"
        # flowops.checks.model: the plugins' bound criteria import flowops.checks.binding, not the check model.
        "print(rc, [m for m in ('requests', 'yaml', 'rich', 'flowops.schema', 'jsonschema', 'flowops.checks.model')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=repo, capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def test_emit_imports_neither_requests_nor_yaml_without_hooks_file(repo):
    assert imported_after_emit(repo, "deploy.completed") == "0 []"


def test_emit_imports_requests_only_to_deliver_a_webhook_and_yaml_and_jsonschema_only_for_a_changed_file(repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: c, events: ["deploy.*"], command: ["true"]}\n'
                      '  - {name: w, events: ["x.*"], webhook: {url: "https://x.invalid"}}\n')
    # The first emit parses and validates hooks.yaml and remembers both.
    assert imported_after_emit(repo, "deploy.completed") == "0 ['yaml', 'flowops.schema', 'jsonschema']"
    assert imported_after_emit(repo, "deploy.completed") == "0 []"



def test_emit_without_hooks_file_imports_no_plugin_nor_the_task_parser_nor_toml_without_settings(repo):
    # No hooks.yaml and no plugin able to observe: the built-ins (and pluggy) stay unimported, and
    # so do the modules that read hooks.yaml and deliver to handlers;
    # a --task-id whose file is named for it is checked without parsing it; with no settings file
    # (config.toml, pyproject.toml) no TOML parser either.
    (repo / "backlog" / "tasks").mkdir(parents=True)
    (repo / "backlog" / "config.yml").write_text('project_name: "t"\n')
    (repo / "backlog" / "tasks" / "task-1 - One.md").write_text("---\nid: TASK-1\ntitle: One\n---\n")
    code = (
        "import sys; from flowops.cli import main; rc = main(['hooks', 'emit', 'task.created', '--task-id', 'TASK-1']);"
        "print(rc, [m for m in ('pluggy', 'flowops.builtin.handlers', 'flowops.builtin.sre_playbook', 'tomllib',"
        " 'flowops.backlog.taskfile', 'flowops.events.hooksfile', 'flowops.events.handlers', 'flowops.backlog.changes')"
        " if m in sys.modules])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWOPS_")}
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr
    assert "does not exist" not in done.stderr


def test_emitting_for_a_task_that_does_not_exist_warns_and_still_records(flowops, repo):
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout'").exit_code == 0
    result = flowops("hooks emit deploy.completed --task-id TASK-99")
    assert result.exit_code == 0, result
    assert "warning: task TASK-99 does not exist in backlog/" in result.stderr
    assert [r["event"]["subject"] for r in audit_records(repo) if r["kind"] == "event"][-1] == "TASK-99"
    known = flowops("hooks emit deploy.completed --task-id 1")
    assert known.exit_code == 0 and "does not exist" not in known.stderr


def test_a_task_id_that_is_no_task_id_at_all_warns_too(flowops, repo):
    assert flowops("init").exit_code == 0
    result = flowops("hooks emit deploy.completed --task-id checkout-v2")
    assert result.exit_code == 0, result
    assert "warning: 'checkout-v2' is not a task id" in result.stderr


def test_event_data_that_is_not_utf8_is_refused_before_anything_is_recorded(flowops, repo):
    result = flowops(["hooks", "emit", "deploy.completed", "--data", "note=bad \udcff byte"])

    assert result.exit_code == 2, result
    assert "UTF-8" in result.stderr and "Traceback" not in result.stderr
    assert json.loads(flowops("hooks log --json").stdout)["records"] == []
