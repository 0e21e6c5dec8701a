"""Criteria across tasks (flowops.acceptance.check): unchecked by number, lint once per distinct text."""

from __future__ import annotations

from flowops.acceptance.check import check_criteria, lint_tasks
from flowops.acceptance.lint import Finding
from flowops.backlog.model import Criterion, Task
from flowops.backlog.store import NewTask
from flowops.hookspecs import hookimpl


def new(backlog, title, *criteria, parent=None):
    return backlog.create(NewTask(title=title, acceptance_criteria=list(criteria), parent=parent))


def test_unchecked_criteria_are_listed_by_task_and_number(backlog):
    task = new(backlog, "Feature", "a is 1", "b is 2", "c is 3")
    backlog.update(task.id, lambda t: setattr(t.acceptance_criteria[1], "checked", True))
    report = check_criteria(backlog, task.id)
    assert [t.unchecked for t in report.tasks] == [[(1, "a is 1"), (3, "c is 3")]]
    assert report.unchecked_count == 2 and not report.all_checked


def test_recursive_goes_through_every_level_in_order(backlog):
    root = new(backlog, "Feature")
    first = new(backlog, "First", "x is 1", parent=root.id)
    deep = new(backlog, "Deep", "y is 2", parent=first.id)
    second = new(backlog, "Second", parent=root.id)
    report = check_criteria(backlog, root.id, recursive=True)
    assert [t.task_id for t in report.tasks] == [root.id, first.id, deep.id, second.id]
    assert check_criteria(backlog, root.id).all_checked


class Counting:
    """A rule that counts how often it runs and flags the word 'soon'."""

    def __init__(self):
        self.calls = 0

    @hookimpl
    def lint_criterion(self, text):
        self.calls += 1
        return [Finding("no-soon", "when is soon?", "give a date")] if "soon" in text else []


def test_each_distinct_criterion_is_linted_once_and_every_task_gets_its_finding(plugins_with):
    counting = Counting()
    plugins = plugins_with(counting=counting)
    tasks = [Task(f"TASK-{n}", f"T{n}", acceptance_criteria=[Criterion(1, "ship it soon"), Criterion(2, f"p95 < {n}00 ms")])
             for n in range(1, 4)]
    report = lint_tasks(tasks, plugins)
    assert counting.calls == 4  # "ship it soon" once, and three distinct latency criteria
    soon = [(h.task_id, h.number) for h in report.hits if h.finding.rule == "no-soon"]
    assert soon == [("TASK-1", 1), ("TASK-2", 1), ("TASK-3", 1)]
    assert report.tasks == 3 and report.criteria == 6 and report.flagged == 3


def _tasks(*texts):
    return [Task(f"TASK-{n}", f"T{n}", acceptance_criteria=[Criterion(1, text)]) for n, text in enumerate(texts, 1)]


def _hits(report):
    return [(h.task_id, h.number, h.finding) for h in report.hits]


def test_the_built_in_rules_findings_are_remembered_per_text_and_give_the_same_report(plugins_with, tmp_path, monkeypatch):
    from flowops.acceptance import check

    tasks = _tasks("Runbook exists", "`k8s/pdb.yaml` exists", "TBD", "p95 latency below 300 ms over 30 days")
    first = lint_tasks(tasks, plugins_with(), tmp_path)
    assert (tmp_path / "criteria-lint.json").exists()

    def must_not_run(text, plugins):
        raise AssertionError(f"linted {text!r} again")

    monkeypatch.setattr(check, "lint_text", must_not_run)
    again = lint_tasks(tasks, plugins_with(), tmp_path)
    assert _hits(again) == _hits(first) and again.flagged == first.flagged == 2


def test_a_third_party_rule_turns_the_remembered_findings_off(plugins_with, tmp_path):
    counting = Counting()
    tasks = _tasks("ship it soon")
    lint_tasks(tasks, plugins_with(counting=counting), tmp_path)
    report = lint_tasks(tasks, plugins_with(counting=counting), tmp_path)
    assert counting.calls == 2 and "no-soon" in [h.finding.rule for h in report.hits]
    assert not (tmp_path / "criteria-lint.json").exists()


def test_a_corrupt_or_foreign_lint_cache_is_ignored(plugins_with, tmp_path):
    import json

    tasks = _tasks("Runbook exists")
    expected = _hits(lint_tasks(tasks, plugins_with()))
    (tmp_path / "criteria-lint.json").write_text("{not json")
    assert _hits(lint_tasks(tasks, plugins_with(), tmp_path)) == expected
    document = json.loads((tmp_path / "criteria-lint.json").read_text())
    document["version"] = "0.0.0-other"
    document["results"]["Runbook exists"] = [["forged", "forged", "forged"]]
    (tmp_path / "criteria-lint.json").write_text(json.dumps(document))
    assert _hits(lint_tasks(tasks, plugins_with(), tmp_path)) == expected
