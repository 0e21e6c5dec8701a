"""The task commands through the CLI: outputs, exit codes, and what they leave on disk."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.state import audit_log


@pytest.fixture
def project(repo, flowops):
    assert flowops("init demo").exit_code == 0
    return repo


def _task_file(repo: Path, prefix: str) -> Path:
    return next((repo / "backlog" / "tasks").glob(f"{prefix} - *.md"))


def test_create_prints_the_id_and_file_and_writes_backlog_format(project, flowops):
    result = flowops('task create "Ship checkout" -d "Why" --ac "p95 < 200 ms" -a @sara -l backend,api --priority HIGH')
    assert result.exit_code == 0, result
    assert result.stdout.startswith("Created task TASK-1\nFile: ")
    text = _task_file(project, "task-1").read_text()
    assert "assignee:\n  - '@sara'\n" in text and "labels:\n  - backend\n  - api\n" in text and "priority: high\n" in text
    assert "- [ ] #1 p95 < 200 ms" in text


def test_list_plain_groups_by_status_like_backlog_md(project, flowops):
    flowops('task create "A" --priority low')
    flowops('task create "B" --ac one --ac two --priority high')
    flowops('task create "C" --type bug --due-date 2026-12-01')
    flowops("task edit 2 -s 'In Progress' --check-ac 1")
    result = flowops("task list --plain")
    assert result.stdout == (
        "To Do:\n  [LOW] TASK-1 - A\n  [bug] TASK-3 - C (due 2026-12-01)\n\n"
        "In Progress:\n  [HIGH] TASK-2 - B (ac: 1/2)\n\n"
    )
    assert flowops("task list -s Done --plain").stdout == "No tasks found.\n"
    assert "Tasks (sorted by priority):\n  [HIGH] TASK-2 - B (In Progress) (ac: 1/2)\n" in flowops("task list --sort priority --plain").stdout


def test_list_filters_combine(project, flowops):
    flowops('task create "A" -l x,y -a @sara')
    flowops('task create "B" -l x')
    flowops('task create "C" -p 1')
    assert "TASK-1 " in flowops("task list -l x -l y --plain").stdout
    assert "TASK-2" not in flowops("task list -l x,y --plain").stdout
    assert "TASK-1 - A" in flowops("task list -a sara --plain").stdout
    assert flowops("task list -p 1 --plain").stdout == "To Do:\n  TASK-1.1 - C\n\n"
    assert flowops("task list --limit 1 --sort id --plain").stdout.count("TASK-") == 1


def test_json_uses_backlog_md_envelopes(project, flowops):
    flowops('task create "A" --ac one -l workflow:Validated')
    listing = json.loads(flowops("task list --json").stdout)
    assert listing["schemaVersion"] == 1 and listing["kind"] == "task-list"
    task = listing["tasks"][0]
    assert task["acceptanceCriteriaCount"] == 1 and task["createdAt"].endswith(":00Z")
    assert task["workflowState"] == "Validated"
    view = json.loads(flowops("task view 1 --json").stdout)
    assert view["kind"] == "task-view"
    assert view["task"]["acceptanceCriteria"] == [{"index": 1, "text": "one", "checked": False}]
    assert view["task"]["path"] == "backlog/tasks/task-1 - A.md"


def test_task_id_shorthand_views_the_task(project, flowops):
    flowops('task create "Shorthand"')
    assert flowops("task 1 --plain").stdout == flowops("task view TASK-1 --plain").stdout
    assert "Task TASK-1 - Shorthand" in flowops("task task-1 --plain").stdout


def test_viewing_a_missing_task_exits_1(project, flowops):
    result = flowops("task view 42")
    assert result.exit_code == 1 and "TASK-42 not found" in result.stderr


def test_a_criterion_number_that_does_not_exist_changes_nothing(project, flowops):
    flowops('task create "A" --ac one')
    path = _task_file(project, "task-1")
    before = path.read_bytes()
    result = flowops("task edit 1 --check-ac 1 --check-ac 5")
    assert result.exit_code == 2
    assert "#5 does not exist" in result.stderr
    assert path.read_bytes() == before


def test_edit_changes_only_what_it_edits(project, flowops):
    flowops('task create "A" -d "Keep   this  spacing" --ac one --ac two -l x')
    path = _task_file(project, "task-1")
    before = path.read_text().splitlines()
    assert flowops("task edit 1 --check-ac 2").exit_code == 0
    after = path.read_text().splitlines()
    diff = [line for line in difflib.unified_diff(before, after, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert sorted(diff) == sorted(["-- [ ] #2 two", "+- [x] #2 two", next(d for d in diff if d.startswith("+updated_date: '"))])


def test_edit_flags_follow_backlog_md(project, flowops):
    flowops('task create "A" --ac one --ac two -l a,b')
    result = flowops("task edit 1 --add-label c --remove-label a --ac three --remove-ac 1 --check-ac 2 "
                     "--notes first --append-notes second --plan 'step 1' --priority low -a @x,@y -t 'Renamed A'")
    assert result.exit_code == 0, result
    task = json.loads(flowops("task view 1 --json").stdout)["task"]
    assert task["labels"] == ["b", "c"]
    assert [(c["text"], c["checked"]) for c in task["acceptanceCriteria"]] == [("two", False), ("three", True)]
    assert task["implementationNotes"] == "first\n\nsecond"
    assert task["assignees"] == ["@x", "@y"] and task["priority"] == "low" and task["title"] == "Renamed A"
    assert _task_file(project, "task-1").name == "task-1 - Renamed-A.md"


def test_done_with_unchecked_criteria_is_refused_for_workflow_tasks(project, flowops):
    flowops('task create "Ops work" --ac "alerts route to PagerDuty" --ac "runbook linked" -l ops:cicd')
    path = _task_file(project, "task-1")
    before = path.read_bytes()
    result = flowops("task edit 1 -s Done")
    assert result.exit_code == 3
    assert "#1 alerts route to PagerDuty" in result.stderr and "#2 runbook linked" in result.stderr
    assert path.read_bytes() == before
    forced = flowops("task edit 1 -s Done --force")
    assert forced.exit_code == 0
    log = audit_log(project).read_text()
    assert '"forced":true' in log.replace(" ", "")


def test_done_is_allowed_for_plain_tasks_unless_config_requires_it(project, flowops):
    flowops('task create "Plain" --ac one')
    assert flowops("task edit 1 -s Done").exit_code == 0
    flowops('task create "Second" --ac one')
    config = project / ".flowops" / "config.toml"
    config.write_text("require_checked_ac_for_done = true\n")
    assert flowops("task edit 2 -s Done").exit_code == 3


def test_store_changes_emit_events(project, flowops):
    flowops('task create "A" --ac one')
    flowops("task edit 1 --check-ac 1 -s Done")
    flowops("task archive 1")
    types = [json.loads(line)["event"]["type"] for line in audit_log(project).read_text().splitlines()
             if json.loads(line)["kind"] == "event"]
    assert types == ["task.created", "task.updated", "task.status_changed", "task.completed", "task.ac_checked", "task.archived"]


def test_archive_moves_the_file_and_the_id_is_not_reused(project, flowops):
    flowops('task create "A"')
    assert flowops("task archive 1").stdout == "Archived task TASK-1\n"
    assert (project / "backlog/archive/tasks/task-1 - A.md").exists()
    assert "TASK-2" in flowops('task create "B"').stdout


def test_bad_files_are_warned_about_and_good_tasks_still_listed(project, flowops):
    flowops('task create "Good"')
    (project / "backlog/tasks/task-2 - Bad.md").write_text("---\nid: TASK-2\ntitle: [oops\n---\n")
    result = flowops("task list --plain")
    assert result.exit_code == 0 and "TASK-1 - Good" in result.stdout
    assert result.stderr.count("warning:") == 1 and "task-2 - Bad.md" in result.stderr
    view = flowops("task view 2")
    assert view.exit_code == 1 and "task-2 - Bad.md" in view.stderr


def test_commands_outside_a_backlog_say_how_to_start(repo, flowops):
    result = flowops("task list")
    assert result.exit_code == 2 and "flowops init" in result.stderr


def test_init_twice_changes_nothing_and_says_so(repo, flowops):
    first = flowops("init demo")
    snapshot = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git/" not in str(p)}
    second = flowops("init demo")
    assert "flowops is set up here (" in first.stdout and "Nothing to do" in second.stdout
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git/" not in str(p)} == snapshot


@pytest.mark.slow
def test_plain_list_of_ten_thousand_tasks_is_complete_when_piped(project):
    from flowops.backlog.model import Task
    from flowops.backlog.naming import task_filename
    from flowops.backlog.taskfile import render_new_task

    tasks_dir = project / "backlog" / "tasks"
    for n in range(1, 10001):
        task = Task(id=f"TASK-{n}", title=f"Task number {n}", status="To Do", created_date="2026-01-01 10:00")
        (tasks_dir / task_filename(task.id, task.title)).write_bytes(render_new_task(task))
    flowops_bin = Path(sys.executable).with_name("flowops")
    for _ in range(2):
        out = subprocess.run(f"'{flowops_bin}' task list --plain | wc -l", shell=True, cwd=project, capture_output=True,
                             text=True, check=True)
        assert int(out.stdout.strip()) == 10002  # the "To Do:" header, 10,000 tasks, a blank line


def test_default_assignee_setting_applies_when_no_assignee_is_given(project, flowops):
    (project / ".flowops" / "config.toml").write_text('default_assignee = "@sara"\n')
    flowops('task create "Defaulted"')
    flowops('task create "Explicit" -a @bob')
    tasks = {t["title"]: t["assignees"] for t in json.loads(flowops("task list --json").stdout)["tasks"]}
    assert tasks == {"Defaulted": ["@sara"], "Explicit": ["@bob"]}


def test_list_search_matches_what_search_matches(project, flowops):
    flowops('task create "Payments" --ac "refunds within 5 days" -l billing')
    flowops('task create "Unrelated"')
    assert flowops("task list --search refunds --plain").stdout == "To Do:\n  TASK-1 - Payments (ac: 0/1)\n\n"
    assert "TASK-1" in flowops("task list --search billing --plain").stdout


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30", "tomorrow"])
def test_an_impossible_due_date_is_a_usage_error_and_creates_nothing(project, flowops, value):
    result = flowops(["task", "create", "A", "--due-date", value])
    assert result.exit_code == 2, result
    assert value in result.stderr and "--due-date" in result.stderr
    assert not list((project / "backlog" / "tasks").glob("task-*.md"))


def test_due_is_an_alias_of_due_date_and_edit_checks_it_too(project, flowops):
    assert flowops("task create A --due 2026-12-01").exit_code == 0
    assert json.loads(flowops("task view 1 --json").stdout)["task"]["dueDate"] == "2026-12-01"
    result = flowops("task edit 1 --due 2026-13-45")
    assert result.exit_code == 2
    assert json.loads(flowops("task view 1 --json").stdout)["task"]["dueDate"] == "2026-12-01"


def test_priority_is_a_case_insensitive_choice(project, flowops):
    assert flowops("task create A --priority HIGH").exit_code == 0
    assert json.loads(flowops("task view 1 --json").stdout)["task"]["priority"] == "high"
    result = flowops("task create B --priority urgent")
    assert result.exit_code == 2
    assert "'urgent' is not one of 'high', 'medium', 'low'" in result.stderr
    assert flowops("task edit 1 --priority Low").exit_code == 0
    assert flowops("task list --priority LOW --plain").stdout.count("TASK-1") == 1
    assert "[high|medium|low]" in flowops("task create --help").stdout


@pytest.mark.parametrize("typo, suggestion", [("veiw", "view"), ("lst", "list"), ("craete", "create"), ("edti", "edit")])
def test_a_mistyped_task_subcommand_is_named_and_the_subcommand_suggested(project, flowops, typo, suggestion):
    flowops("task create A")
    result = flowops(["task", typo, "1"])
    assert result.exit_code == 2, result
    assert f"No such command '{typo}'. Did you mean '{suggestion}'?" in result.stderr
    assert "unexpected extra argument" not in result.stderr and "is not a task id" not in result.stderr


@pytest.mark.parametrize("word", ["1", "TASK-1", "task-1", "1.1"])
def test_a_task_id_after_task_still_views_it(project, flowops, word):
    flowops("task create A")
    flowops("task create B -p 1")
    result = flowops(["task", word, "--plain"])
    assert result.exit_code == 0, result
    assert "Task TASK-1" in result.stdout
