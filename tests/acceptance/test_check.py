"""Criteria across tasks (flowops.acceptance.check): unchecked by number, lint once per distinct text."""

from __future__ import annotations

import json
import os
import time

import pytest

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


# -- lint_backlog: the same report as lint_tasks over Backlog.load, read as records ----------------------------------

CRITERIA = [
    ["Runbook exists", "p95 below 300 ms", "TBD"],
    ["Monitoring is set up", "`k8s/pdb.yaml` exists", "p95 below 300 ms"],  # a text repeated across tasks
    [],
    ["Make sure k8s/deployment.yaml is correct", "Alerts are configured to fire above 1% for 5 minutes", "ship it soon"],
    ["Deployment iſ automated", "Runbook exists"],
]


def _fill(backlog):
    for n, texts in enumerate(CRITERIA * 2, 1):  # ten tasks
        new(backlog, f"Task {n}", *texts)
    tasks = backlog.folder_path("tasks")
    (tasks / "task-40 - Broken.md").write_text("---\nid: TASK-40\ntitle: [unclosed\n---\n")
    one = next(tasks.glob("task-2 *.md"))
    (tasks / "task-2 - Copy.md").write_bytes(one.read_bytes())  # a duplicate id: both are linted, as load lists both


def _report(report):
    return report.to_dict(), [(h.task_id, h.number, h.finding) for h in report.hits]


@pytest.mark.parametrize("parallel", [True, False])
def test_linting_the_backlog_reports_what_linting_its_loaded_tasks_reports(backlog, plugins_with, monkeypatch, parallel):
    from flowops.acceptance.check import lint_backlog
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    _fill(backlog)
    expected = lint_tasks(Backlog(backlog.project).load(use_cache=False).tasks, plugins_with())
    assert expected.hits and expected.tasks == 11
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    cache_dir = backlog.project.cache_dir
    for attempt in ("cold", "warm", "warm again"):
        report, bad = lint_backlog(Backlog(backlog.project), plugins_with(), cache_dir)
        assert _report(report) == _report(expected), attempt
        assert [b.path.name for b in bad] == ["task-40 - Broken.md"]
        assert (cache_dir / "tasks-index.json").exists() and (cache_dir / "criteria-lint.json").exists()


def test_a_cold_lint_leaves_caches_from_which_the_next_one_lints_nothing(backlog, plugins_with, monkeypatch):
    from flowops.acceptance import check
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    _fill(backlog)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    cold, _bad = check.lint_backlog(Backlog(backlog.project), plugins_with(), backlog.project.cache_dir)
    remembered = json.loads((backlog.project.cache_dir / "criteria-lint.json").read_text())["results"]
    assert set(remembered) == {text for texts in CRITERIA for text in texts}

    def must_not_run(*args, **kwargs):
        raise AssertionError("linted again")

    monkeypatch.setattr(check, "lint_text", must_not_run)
    monkeypatch.setattr(check, "_lint_records", must_not_run)
    monkeypatch.setattr(bulkread, "read_keyed", must_not_run)  # and no file is parsed again
    warm, _bad = check.lint_backlog(Backlog(backlog.project), plugins_with(), backlog.project.cache_dir)
    assert _report(warm) == _report(cold)


def test_an_edited_criterion_is_linted_again_even_in_a_file_of_the_same_size(backlog, plugins_with):
    from flowops.acceptance.check import lint_backlog
    from flowops.backlog.store import Backlog

    task = new(backlog, "Only", "Logging works")
    first, _bad = lint_backlog(Backlog(backlog.project), plugins_with(), backlog.project.cache_dir)
    assert [h.finding.rule for h in first.hits] == ["no-measurable-element", "vague-predicate"]
    task.path.write_bytes(task.path.read_bytes().replace(b"Logging works", b"Latency 300ms"))  # same size
    os.utime(task.path, ns=(time.time_ns(), time.time_ns() + 1000))
    second, _bad = lint_backlog(Backlog(backlog.project), plugins_with(), backlog.project.cache_dir)
    assert second.hits == [] and second.criteria == 1


@pytest.mark.parametrize("damage", ["corrupt", "foreign"])
def test_a_corrupt_or_foreign_index_makes_a_cold_lint_with_the_same_report(backlog, plugins_with, monkeypatch, damage):
    from flowops.acceptance.check import lint_backlog
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    _fill(backlog)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    cache_dir = backlog.project.cache_dir
    expected, _bad = lint_backlog(Backlog(backlog.project), plugins_with(), cache_dir)
    index = cache_dir / "tasks-index.json"
    if damage == "corrupt":
        index.write_bytes(b'{"format": 5, "paths": [')
    else:
        document = json.loads(index.read_text())
        document["version"] = "0.0.0-other"
        document["records"] = [record if record[0] == "bad" else [[f"TASK-{n}", "Forged", *record[0][2:]], *record[1:]]
                               for n, record in enumerate(document["records"])]
        index.write_text(json.dumps(document))
    (cache_dir / "criteria-lint.json").unlink()
    report, _bad = lint_backlog(Backlog(backlog.project), plugins_with(), cache_dir)
    assert _report(report) == _report(expected)
    assert json.loads(index.read_text())["version"] != "0.0.0-other"  # rewritten whole


def test_with_a_third_party_rule_every_criterion_is_linted_in_the_parent_in_call_order(backlog, plugins_with, monkeypatch):
    from flowops.acceptance import check
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    _fill(backlog)
    counting = Counting()
    expected = lint_tasks(Backlog(backlog.project).load(use_cache=False).tasks, plugins_with(counting=Counting()))
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(check, "_lint_records", lambda *a: pytest.fail("a reader linted beside a third-party rule"))
    report, _bad = check.lint_backlog(Backlog(backlog.project), plugins_with(counting=counting), backlog.project.cache_dir)
    assert _report(report) == _report(expected) and "no-soon" in [h.finding.rule for h in report.hits]
    assert counting.calls == len({text for texts in CRITERIA for text in texts})  # once per distinct text, here


class Raising:
    @hookimpl
    def lint_criterion(self, text):
        if "soon" in text:
            raise RuntimeError("cannot judge soon")
        return ["not a finding"] if "Runbook" in text else None


@pytest.mark.parametrize("parallel", [True, False])
def test_a_built_in_rule_that_fails_in_a_reader_is_run_again_here_and_reported_once(backlog, plugins_with, monkeypatch, parallel):
    from flowops.acceptance.check import lint_backlog
    from flowops.backlog import bulkread
    from flowops.backlog.store import Backlog

    def with_raising():
        plugins = plugins_with()
        plugins.register(Raising(), "raising", builtin=True)  # as if built in: readers run it
        return plugins

    _fill(backlog)
    reference = with_raising()
    expected = lint_tasks(Backlog(backlog.project).load(use_cache=False).tasks, reference)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2 if parallel else 10**9)
    plugins = with_raising()
    report, _bad = lint_backlog(Backlog(backlog.project), plugins, backlog.project.cache_dir)
    assert _report(report) == _report(expected)
    assert [(f.plugin, f.error) for f in plugins.failures] == [(f.plugin, f.error) for f in reference.failures]
    assert len(plugins.failures) == 2  # "ship it soon" raised; "Runbook exists" returned a str in a list: once each
