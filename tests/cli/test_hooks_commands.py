"""`flowops hooks list|validate|test|log|replay|events`."""

from __future__ import annotations

import json
import textwrap

import responses

from flowops.events import bus
from flowops.events.catalog import CATALOG
from tests.support.state import audit_log

REQUIRED_EVENTS = [
    "task.created", "task.updated", "task.status_changed", "task.ac_checked", "task.ac_unchecked", "task.completed",
    "task.archived", "workflow.transitioned", "workflow.state_check_skipped", "operate.started", "operate.completed",
    "deploy.started", "deploy.completed", "deploy.failed", "runbook.created", "git.commit", "git.merge", "git.push",
    "git.checkout",
]


def write_hooks(repo, text, name="hooks.yaml"):
    (repo / ".flowops").mkdir(exist_ok=True)
    path = repo / ".flowops" / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_events_lists_the_catalog_one_line_each(flowops):
    result = flowops("hooks events --plain")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert set(REQUIRED_EVENTS) <= set(names)
    assert all(len(line.split(None, 1)) == 2 for line in result.stdout.splitlines())
    doc = json.loads(flowops("hooks events --json").stdout)
    assert [e["name"] for e in doc["events"]] == list(CATALOG)


def test_list_shows_handlers_without_secrets(flowops, repo):
    write_hooks(
        repo,
        """
        version: 1
        hooks:
          - name: chat
            events: ["deploy.completed"]
            webhook: {url: "https://bot:pw-secret9@chat.example.com/x", secret_env: S}
          - {name: notify, events: ["deploy.*"], command: ["true"], env: {TOKEN: literal-secret},
             filter: {labels_any: [infra]}, fail_mode: stop}
        """,
    )
    plain = flowops("hooks list --plain")
    assert plain.exit_code == 0, plain
    assert plain.stdout.splitlines() == [
        "chat\tdeploy.completed\twebhook: https://***@chat.example.com/x (structured, signed)\tfail_mode=continue\ttimeout=30",
        "notify\tdeploy.*\tcommand: true\tfail_mode=stop\ttimeout=30\tfilter=labels_any=['infra']",
    ]
    doc = json.loads(flowops("hooks list --json").stdout)
    assert [h["name"] for h in doc["hooks"]] == ["chat", "notify"] and doc["handler_types"] == ["command", "webhook"]
    assert "secret" not in json.dumps(doc).replace("secret_env", "")


def test_validate_reports_every_problem_and_exits_2(flowops, repo, monkeypatch):
    monkeypatch.delenv("UNSET_FOR_FLOWOPS", raising=False)
    write_hooks(
        repo,
        """
        version: 1
        hooks:
          - {name: a, events: ["x.*"], command: ["true"], timeout: 0}
          - {name: a, events: ["x.*"], command: ["../outside/run.sh"]}
          - {name: b, events: ["x.*"], webhook: {url: "${UNSET_FOR_FLOWOPS}"}, colour: red}
        """,
    )
    result = flowops("hooks validate --plain")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: .flowops/hooks.yaml:3, field 'hooks[0].timeout': hook 'a': timeout must be a number of seconds from 1 to 600, not 0",
        "error: .flowops/hooks.yaml:4, field 'hooks[1].command': hook 'a': program '../outside/run.sh' leads outside the repository; "
        "use an absolute path for a program installed elsewhere",
        "error: .flowops/hooks.yaml:4, field 'hooks[1].name': hook 'a': duplicate name (first used by hooks[0])",
        "error: .flowops/hooks.yaml:5, field 'hooks[2].colour': hook 'b': unknown key 'colour' "
        "(known: name, description, events, filter, timeout, fail_mode, when_unset, command, webhook)",
        "error: .flowops/hooks.yaml:5, field 'hooks[2].webhook.url': hook 'b': environment variable UNSET_FOR_FLOWOPS is not set",
    ]
    assert result.stdout == ".flowops/hooks.yaml: invalid (5 errors)\n"


def test_validate_accepts_a_good_file_and_another_path(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: a, events: ["x.*"], command: ["true"]}\n', name="candidate.yaml")
    result = flowops("hooks validate --file .flowops/candidate.yaml --plain")
    assert (result.exit_code, result.stdout) == (0, ".flowops/candidate.yaml: valid (1 handler)\n")
    doc = json.loads(flowops("hooks validate --json").stdout)
    assert doc == {"path": ".flowops/hooks.yaml", "exists": False, "valid": True, "hooks": 0, "problems": []}


def test_validate_reports_yaml_syntax_errors_as_problems(flowops, repo):
    write_hooks(repo, "version: 1\nhooks:\n  - name: [oops\n")
    result = flowops("hooks validate --json")
    assert result.exit_code == 2
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["line"] == 4 and problem["message"].startswith("invalid YAML")


def test_test_runs_one_handler_and_exits_with_its_result(flowops, repo):
    write_hooks(
        repo,
        """
        version: 1
        hooks:
          - {name: good, events: ["deploy.*"], command: ["sh", "-c", "echo hello from $FLOWOPS_EVENT_TYPE"]}
          - {name: bad, events: ["deploy.*"], command: ["sh", "-c", "exit 7"]}
        """,
    )
    good = flowops("hooks test good deploy.completed --plain")
    assert good.exit_code == 0, good
    assert "--- stdout\nhello from deploy.completed\n" in good.stdout
    bad = flowops("hooks test bad --json")
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["result"]["exit_code"] == 7
    missing = flowops("hooks test nope")
    assert missing.exit_code == 1 and "no hook named 'nope'" in missing.stderr


def test_log_shows_filters_and_verifies(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: ok, events: ["deploy.*"], command: ["true"]}\n')
    flowops("hooks emit deploy.completed --task-id TASK-1")
    flowops("hooks emit task.created --task-id TASK-2")
    lines = flowops("hooks log --plain").stdout.splitlines()
    assert [line.split("\t")[1:3] for line in lines] == [
        ["event", "deploy.completed"], ["delivery", "deploy.completed"], ["event", "task.created"]]
    assert flowops("hooks log --type 'task.*' --plain").stdout.count("\n") == 1
    doc = json.loads(flowops("hooks log --tail 2 --json").stdout)
    assert [r["kind"] for r in doc["records"]] == ["delivery", "event"]
    verified = flowops("hooks log --verify --plain")
    assert (verified.exit_code, verified.stdout) == (0, "ok: 3 records, hash chain intact\n")


def test_log_verify_names_the_first_broken_line(flowops, repo):
    for n in range(3):
        flowops(f"hooks emit deploy.completed --task-id TASK-{n}")
    path = audit_log(repo)
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace("TASK-1", "TASK-9")
    path.write_text("\n".join(lines) + "\n")
    result = flowops("hooks log --verify --plain")
    assert result.exit_code == 1
    assert result.stdout == ".git/flowops/log/events.jsonl:2: this record was changed after it was written (hash mismatch)\n"
    doc = json.loads(flowops("hooks log --verify --json").stdout)
    assert (doc["ok"], doc["line"]) == (False, 2)


def test_replay_delivers_queued_events(flowops, repo, monkeypatch):
    monkeypatch.setattr(bus, "default_sleep", lambda seconds: None)
    write_hooks(repo, 'version: 1\nhooks:\n'
                      '  - {name: chat, events: ["deploy.*"], webhook: {url: "https://chat.example.com/x", retries: 1}}\n')
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://chat.example.com/x", status=503)
        first = flowops("hooks emit deploy.completed --json")
    assert first.exit_code == 0
    assert json.loads(first.stdout)["results"][0]["queued"] is True
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://chat.example.com/x", status=503)
        still = flowops("hooks replay --plain")
    assert still.exit_code == 1 and still.stdout.endswith("0 delivered, 1 failed, 1 left in the outbox\n")
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://chat.example.com/x", status=200)
        done = flowops("hooks replay --handler chat --plain")
        assert json.loads(mock.calls[0].request.body)["id"] == json.loads(first.stdout)["event"]["id"]
    assert done.exit_code == 0, done
    assert done.stdout.endswith("1 delivered, 0 failed, 0 left in the outbox\n")


def test_validate_accepts_absolute_programs_such_as_a_virtualenv_interpreter(flowops, repo, tmp_path):
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("#!/bin/sh\n")
    venv_python.chmod(0o755)
    (repo / "scripts").mkdir()
    (repo / "scripts" / "notify.py").write_text("print('hi')\n")
    write_hooks(
        repo,
        f"""
        version: 1
        hooks:
          - {{name: venv, events: ["deploy.*"], command: ["{venv_python}", "scripts/notify.py"]}}
          - {{name: system, events: ["deploy.*"], command: ["/usr/bin/env", "true"]}}
        """,
    )
    result = flowops("hooks validate --plain")
    assert (result.exit_code, result.stderr) == (0, ""), result
    assert result.stdout == ".flowops/hooks.yaml: valid (2 handlers)\n"


def test_validate_warns_when_an_absolute_program_is_missing_but_accepts_it(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: n, events: ["x.*"], command: ["/usr/local/bin/notify-missing-x"]}\n')
    result = flowops("hooks validate --plain")
    assert result.exit_code == 0, result
    assert "program '/usr/local/bin/notify-missing-x' does not exist" in result.stderr
    assert result.stdout == ".flowops/hooks.yaml: valid (1 handler, 1 warning)\n"


def test_validate_still_refuses_a_relative_program_that_climbs_out_of_the_repository(flowops, repo):
    write_hooks(repo, 'version: 1\nhooks:\n  - {name: n, events: ["x.*"], command: ["../elsewhere/run.sh"]}\n')
    result = flowops("hooks validate --plain")
    assert result.exit_code == 2
    assert "program '../elsewhere/run.sh' leads outside the repository" in result.stderr
    assert result.stdout == ".flowops/hooks.yaml: invalid (1 error)\n"
