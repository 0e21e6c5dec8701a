"""``flowops ac verify``: run the checks bound to criteria and, if asked, make the ticks follow the evidence.

Each criterion of the tasks is ``manual`` (no binding: a person decides) or bound to a
check (``verify:`` span, ``flowops.checks.binding``) whose result is its status. With
``update`` a criterion whose check passed is ticked and a ticked one whose check failed
is unticked: one write per task, through the store's lock, then ``ac.verified``.

Every verification is recorded in the audit log with the commit the working tree was
at and whether it had changes (``flowops.gitops.state``), so a verification can be
told apart from one made on uncommitted files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowops.backlog.model import Task
from flowops.checks.binding import Binding, BindingError, find_binding
from flowops.checks.model import ERROR, FAIL, MANUAL, PASS, SKIPPED, Evidence
from flowops.checks.runner import Runner
from flowops.events.emitter import Emit, emitter_for
from flowops.gitops.state import TreeState

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.project import Project

SCHEMA_VERSION = 1
VERIFIED = "ac.verified"
# (task, criterion number, binding, check) before a check runs: lets the command show what runs.
OnStart = Callable[[Task, int, Binding, Any], None]


@dataclass
class CriterionVerdict:
    """One criterion's verification: ``status`` is pass, fail, skipped, error or manual."""

    task_id: str
    index: int
    text: str  # without the binding
    raw_text: str  # as written, binding included (to find it again when writing)
    check: str | None
    status: str
    summary: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    duration_ms: int = 0
    checked: bool = False
    plugin: str | None = None

    @property
    def bound(self) -> bool:
        return self.check is not None

    def to_dict(self) -> dict:
        return {"taskId": self.task_id, "index": self.index, "text": self.text, "check": self.check,
                "status": self.status, "summary": self.summary, "checked": self.checked,
                "evidence": [e.to_dict() for e in self.evidence], "durationMs": self.duration_ms}


@dataclass
class TaskUpdate:
    """What ``--update`` changed on one task."""

    task_id: str
    checked: list[int] = field(default_factory=list)
    unchecked: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a criterion was left alone


@dataclass
class VerifyReport:
    tasks: list[Task]
    results: list[CriterionVerdict]
    state: TreeState
    updates: list[TaskUpdate] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def summary(self) -> dict[str, int]:
        return {status: self.count(status) for status in (PASS, FAIL, SKIPPED, ERROR, MANUAL)}

    @property
    def all_passed(self) -> bool:
        """Every bound criterion passed (tasks with only manual criteria pass trivially)."""
        return all(r.status == PASS for r in self.results if r.bound)

    def to_dict(self) -> dict:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "kind": "ac-verify",
            "commit": self.state.head,
            "dirty": self.state.dirty,
            "results": [r.to_dict() for r in self.results],
            "summary": self.summary,
            "updated": [{"taskId": u.task_id, "checked": u.checked, "unchecked": u.unchecked} for u in self.updates],
        }


def collect_tasks(backlog: Backlog, task_ids: Sequence[str], *, recursive: bool = False) -> list[Task]:
    """The tasks named (each once, in order) and, with ``recursive``, all their subtasks depth first."""
    from flowops.acceptance.check import descendants

    tasks: list[Task] = []
    seen: set[str] = set()
    for task_id in task_ids:
        task = backlog.get(task_id)
        for one in [task, *(descendants(backlog, task) if recursive else [])]:
            if one.id not in seen:
                seen.add(one.id)
                tasks.append(one)
    return tasks


def verify_criteria(runner: Runner, tasks: Iterable[Task], *, on_start: OnStart | None = None) -> list[CriterionVerdict]:
    """One verdict per criterion of ``tasks``, in task and criterion order; runs the bound checks."""
    from flowops.checks.binding import strip_binding

    verdicts: list[CriterionVerdict] = []
    for task in tasks:
        for criterion in task.acceptance_criteria:
            try:
                binding = find_binding(criterion.text)
            except BindingError as exc:
                verdicts.append(CriterionVerdict(task.id, criterion.index, strip_binding(criterion.text), criterion.text,
                                                 exc.check, ERROR, str(exc), checked=criterion.checked))
                continue
            if binding is None:
                verdicts.append(CriterionVerdict(task.id, criterion.index, criterion.text, criterion.text, None, MANUAL,
                                                 "no check bound: a person decides", checked=criterion.checked))
                continue
            if on_start is not None:
                on_start(task, criterion.index, binding, runner.check(binding.name))
            outcome = runner.run(binding, task)
            result = outcome.result
            verdicts.append(CriterionVerdict(task.id, criterion.index, binding.text, criterion.text, binding.check,
                                             result.status, result.summary, list(result.evidence), outcome.duration_ms,
                                             criterion.checked, outcome.plugin))
    return verdicts


def verify(project: Project, backlog: Backlog, runner: Runner, task_ids: Sequence[str], *, recursive: bool = False,
           update: bool = False, emit: Emit | None = None, on_start: OnStart | None = None,
           command: str = "ac verify") -> VerifyReport:
    """Verify the criteria of ``task_ids``; see the module docstring.

    Raises NotFoundError for an unknown task. ``emit`` (None: the project's event bus)
    receives ``ac.verified`` (only with ``update``). The audit record is written in every case.
    """
    tasks = collect_tasks(backlog, task_ids, recursive=recursive)
    report = verify_tasks(project, runner, tasks, command=command, on_start=on_start)
    results = report.results
    state = report.state
    if update:
        report.updates = apply_results(backlog, results)
        emit = emitter_for(project, emit)
        for change in report.updates:
            mine = [r for r in results if r.task_id == change.task_id]
            emit(VERIFIED, change.task_id, {
                "results": [_brief(r) for r in mine], "checked": change.checked, "unchecked": change.unchecked,
                "commit": state.head, "dirty": state.dirty,
                "summary": {s: sum(1 for r in mine if r.status == s) for s in (PASS, FAIL, SKIPPED, ERROR, MANUAL)},
            })
    return report


def verify_tasks(project: Project, runner: Runner, tasks: Sequence[Task], *, command: str, on_start: OnStart | None = None,
                 record_audit: bool = True) -> VerifyReport:
    """Verify the criteria of ``tasks`` (read already) and, unless ``record_audit`` is False, record it."""
    report = VerifyReport(list(tasks), verify_criteria(runner, tasks, on_start=on_start), working_tree(project))
    if record_audit:
        record(project, report, command)
    return report


def working_tree(project: Project) -> TreeState:
    """The tree state of the project, the backlog and .flowops/ left out of "dirty"."""
    from flowops.discovery.inventory import backlog_folder
    from flowops.gitops.state import tree_state

    return tree_state(project.root, exclude=[".flowops", *backlog_folder(project)])


def apply_results(backlog: Backlog, results: Sequence[CriterionVerdict]) -> list[TaskUpdate]:
    """Tick criteria whose check passed and untick ticked ones whose check failed: one write per task.

    A criterion whose text changed since it was verified is left alone (and said so):
    the verdict was about the old text.
    """
    by_task: dict[str, list[CriterionVerdict]] = {}
    for verdict in results:
        if verdict.status == PASS and not verdict.checked or verdict.status == FAIL and verdict.checked:
            by_task.setdefault(verdict.task_id, []).append(verdict)
    updates = []
    for task_id, verdicts in by_task.items():
        change = TaskUpdate(task_id)

        def mutate(task: Task, verdicts: list[CriterionVerdict] = verdicts, change: TaskUpdate = change) -> None:
            criteria = {c.index: c for c in task.acceptance_criteria}
            for verdict in verdicts:
                criterion = criteria.get(verdict.index)
                if criterion is None or criterion.text != verdict.raw_text:
                    change.skipped.append(f"#{verdict.index} changed while it was verified; left as it is")
                    continue
                wanted = verdict.status == PASS
                if criterion.checked != wanted:
                    criterion.checked = wanted
                    (change.checked if wanted else change.unchecked).append(verdict.index)

        backlog.update(task_id, mutate)
        updates.append(change)
    return updates


def record(project: Project, report: VerifyReport, command: str) -> None:
    """Append the verification to the audit log (what ran, the verdicts, the commit and dirtiness)."""
    from flowops.events import audit

    audit.append(project, [{
        "kind": "verification",
        "type": "ac.verify",
        "command": command,
        "commit": report.state.head,
        "dirty": report.state.dirty,
        "tasks": [task.id for task in report.tasks],
        "summary": report.summary,
        "results": [_brief(r) for r in report.results if r.bound],
    }])


def _brief(verdict: CriterionVerdict) -> dict:
    return {"taskId": verdict.task_id, "index": verdict.index, "check": verdict.check, "status": verdict.status,
            "summary": verdict.summary}
