"""Terminal (rich) views show user text literally: square brackets are text, not rich markup."""

from __future__ import annotations

import pytest

from tests.support.terminal import run_in_terminal

MARKUP_TITLE = "Fix [/] parser"


@pytest.fixture
def project(repo, flowops):
    assert flowops("init demo").exit_code == 0
    result = flowops(["task", "create", MARKUP_TITLE, "-d", "Closes [/b] and [red]",
                      "--ac", "[bold]parses[/bold] `a[/]b`", "-l", "[x]"])
    assert result.exit_code == 0, result
    return repo


@pytest.mark.parametrize("command", [["task", "list"], ["task", "view", "1"], ["task", "1"], ["board"]])
def test_task_text_with_rich_markup_is_printed_literally_in_a_terminal(project, command):
    result = run_in_terminal(command, project)
    assert result.exit_code == 0, result
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr
    assert "[/]" in result.stdout
    assert "Fix" in result.stdout and "parser" in result.stdout


def test_task_view_in_a_terminal_keeps_markup_in_criteria_and_labels(project):
    result = run_in_terminal(["task", "view", "1"], project)
    assert result.exit_code == 0, result
    assert "[bold]parses[/bold]" in result.stdout
    assert "Labels: [x]" in result.stdout


def test_hooks_list_in_a_terminal_shows_bracket_globs_and_arguments(project):
    (project / ".flowops" / "hooks.yaml").write_text(
        "version: 1\n"
        "hooks:\n"
        "  - name: notify\n"
        '    events: ["deploy.[ab]*"]\n'
        '    command: ["echo", "[/]"]\n'
        "    filter: {region: \"[eu]\"}\n",
        encoding="utf-8",
    )
    result = run_in_terminal(["hooks", "list"], project)
    assert result.exit_code == 0, result
    assert "deploy.[ab]*" in result.stdout
    assert "[/]" in result.stdout
    assert "[eu]" in result.stdout


def test_operate_tables_in_a_terminal_show_bracketed_titles(project, flowops):
    assert flowops(["task", "create", "Checkout [/] v2", "-l", "workflow:Validated"]).exit_code == 0
    result = run_in_terminal(["operate", "2", "--dry-run"], project)
    assert result.exit_code == 0, result
    assert "Checkout [/] v2" in result.stdout
    status = run_in_terminal(["operate", "2", "--status"], project)
    assert status.exit_code == 0, status
    assert "Checkout [/] v2" in status.stdout
