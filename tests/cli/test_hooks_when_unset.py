"""Hooks whose variables are only set somewhere (CI) and init's example that uses them.

`when_unset: skip` makes a hook whose `${VAR}` (or `secret_env`) is not set skip quietly:
no failure on every `git checkout` on a laptop, nothing queued in the outbox. init's
commented example must be valid YAML once uncommented, as its comment promises.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.support.state import outbox_file


@pytest.fixture
def project(repo, flowops, monkeypatch):
    monkeypatch.delenv("CHAT_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("FLOWOPS_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("NOTIFY_TARGET", raising=False)
    assert flowops("init").exit_code == 0
    return repo


def uncomment_example(text: str) -> str:
    """What the comment tells a person to do: drop the "#" in front of the example's lines."""
    return re.sub(r"^#(  .*)$", r"\1", text, flags=re.M)


def test_the_init_example_is_valid_yaml_once_uncommented(project, flowops):
    path = project / ".flowops" / "hooks.yaml"
    text = path.read_text()
    uncommented = uncomment_example(text)
    assert uncommented != text
    path.write_text(uncommented)
    result = flowops("hooks validate --json")
    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["hooks"] == 2
    assert {p["severity"] for p in report["problems"]} <= {"warning"}


def test_after_uncommenting_the_example_task_commands_still_exit_0(project, flowops):
    path = project / ".flowops" / "hooks.yaml"
    path.write_text(uncomment_example(path.read_text()))
    assert flowops("task create 'Checkout'").exit_code == 0
    edit = flowops("task edit 1 -s 'In Progress'")
    assert edit.exit_code == 0, edit
    assert "chat" not in edit.stderr  # the chat hook waits quietly for CHAT_WEBHOOK_URL
    assert not outbox_file(project).exists()


def test_the_init_example_uses_when_unset_skip(project):
    example = (project / ".flowops" / "hooks.yaml").read_text()
    assert "#    when_unset: skip" in example


def write_hooks(project, body: str) -> None:
    (project / ".flowops" / "hooks.yaml").write_text("version: 1\nhooks:\n" + body)


SKIPPING = """\
  - name: notify
    events: ["deploy.*"]
    when_unset: skip
    command: ["sh", "-c", "echo ${NOTIFY_TARGET} > delivered.txt"]
"""


def test_a_hook_with_an_unset_variable_and_when_unset_skip_is_skipped_quietly(project, flowops):
    write_hooks(project, SKIPPING)
    result = flowops("hooks emit deploy.completed --json")
    assert (result.exit_code, result.stderr) == (0, ""), result
    [delivery] = json.loads(result.stdout)["results"]
    assert delivery["skipped"] is True and "NOTIFY_TARGET is not set" in delivery["note"]
    assert not (project / "delivered.txt").exists()
    assert not outbox_file(project).exists()


def test_the_same_hook_runs_once_the_variable_is_set(project, flowops):
    write_hooks(project, SKIPPING)
    result = flowops("hooks emit deploy.completed", env={"NOTIFY_TARGET": "ops-channel"})
    assert result.exit_code == 0, result
    assert (project / "delivered.txt").read_text().strip() == "ops-channel"


def test_without_when_unset_an_unset_variable_is_still_a_failure(project, flowops):
    write_hooks(project, SKIPPING.replace("    when_unset: skip\n", ""))
    result = flowops("hooks emit deploy.completed")
    assert result.exit_code == 0  # fail_mode: continue
    assert "notify: failed" in result.stdout and "NOTIFY_TARGET is not set" in result.stdout


def test_validate_warns_instead_of_failing_for_a_skipping_hooks_unset_variables(project, flowops):
    write_hooks(project, SKIPPING)
    result = flowops("hooks validate --plain")
    assert result.exit_code == 0, result
    assert "warning: " in result.stderr and "NOTIFY_TARGET is not set" in result.stderr and "skipped" in result.stderr


def test_an_unknown_when_unset_value_is_refused(project, flowops):
    write_hooks(project, SKIPPING.replace("when_unset: skip", "when_unset: ignore"))
    result = flowops("hooks validate --plain")
    assert result.exit_code == 2
    assert "when_unset must be one of fail, skip, not 'ignore'" in result.stderr
