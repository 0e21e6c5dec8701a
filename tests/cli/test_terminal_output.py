"""Control characters from a repository never reach the terminal raw: they are shown escaped."""

from __future__ import annotations

import io
import json

import pytest

HOSTILE_TITLE = "Deploy \x1b]0;pwned\x07 \x1b[2J now \x9b31m red \u202eevil\r done"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.fixture
def hostile(flowops, repo):
    """A task a stranger's repository brings (written by hand: flowops itself refuses the carriage return)."""
    from flowops.backlog.model import Task
    from flowops.backlog.taskfile import render_new_task

    assert flowops("init").exit_code == 0
    task = Task(id="TASK-1", title=HOSTILE_TITLE, status="To Do", created_date="2026-01-02 03:04",
                description="Body with \x1b[31mred\x1b[0m text")
    (repo / "backlog" / "tasks" / "task-1 - Deploy.md").write_bytes(render_new_task(task))
    return repo


@pytest.mark.parametrize("command", ["task list --plain", "task list", "board --plain", "board", "search deploy --plain",
                                     "task view 1 --plain", "task 1"])
def test_plain_and_text_output_shows_control_characters_escaped(flowops, hostile, command):
    result = flowops(command)

    assert result.exit_code == 0, result
    for char in RAW:
        assert char not in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout


@pytest.mark.parametrize("command", ["task list --json", "board --json", "task view 1 --json", "search deploy --json"])
def test_json_output_escapes_them_and_keeps_the_data_exact(flowops, hostile, command):
    result = flowops(command)

    for char in RAW:
        assert char not in result.stdout
    assert HOSTILE_TITLE in _strings(json.loads(result.stdout))


def test_warnings_naming_a_hostile_file_name_are_escaped(flowops, hostile):
    (hostile / "backlog" / "tasks" / "task-2 - \x1b[2Jx.md").write_text("not a task")

    result = flowops("task list --plain")

    assert "\x1b" not in result.stderr and "\\x1b[2Jx.md" in result.stderr


def test_the_rich_terminal_view_escapes_data_but_keeps_its_own_colours(hostile, monkeypatch):
    from flowops.backlog.store import load_backlog
    from flowops.cli import output, rich_views

    buffer = io.StringIO()
    monkeypatch.setattr(output, "_console", output.make_console(file=buffer, force_terminal=True, width=200))
    backlog = load_backlog(hostile)
    task = backlog.get("1")

    rich_views.print_task_table([task], backlog.config.statuses)
    rich_views.print_task(task, backlog, backlog.project)

    shown = buffer.getvalue()
    assert "\x1b[" in shown  # rich's own styling is still there
    for raw in ("\x1b]0;pwned", "\x1b[2J", "\x1b[31mred", "\x9b", "\x07", "\u202e"):
        assert raw not in shown
