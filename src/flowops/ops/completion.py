"""``flowops operate ID --complete``: refuse to call a feature Deployed until its operations work is done.

The gate passes when every operations task of the feature is Done with every
acceptance criterion checked, every criterion bound to a check passes it
(``flowops.ops.evidence``: the evidence wins over the tick), every selected playbook
item and every alert has its task, and every runbook document is written (judged
against the skeleton it was generated from, ``runbook_fill``). Only then is the feature
moved to the ``operate`` workflow's output state, through the workflow (plugins may
still veto), and ``deploy.completed`` and ``operate.completed`` are emitted. A refusal
changes nothing and lists each gap precisely, with the evidence under it; only the
verification it ran is recorded in the audit log.

"The operations tasks of the feature" are the tasks serving the selected items and
alerts (see ``flowops.ops.operate`` for the matching rule) plus every other own
key-labelled subtask, duplicates included. A runbook task whose alert has disappeared
from the alert files read is not required: it is reported as orphaned instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.backlog.model import Task
from flowops.errors import BlockedError, CriteriaNotMet, Problem, UsageError
from flowops.events.emitter import Emit, emitter_for
from flowops.ops.evidence import OperationsEvidence, unverified, verify_operations
from flowops.ops.operate import OperateOptions, OpsEntry, Survey, guard, survey
from flowops.ops.runbooks import runbook_fill
from flowops.workflow.transitions import VERIFICATION_SKIPPED, check_bypass

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins
    from flowops.project import Project
    from flowops.workflow.model import WorkflowConfig


@dataclass(frozen=True)
class Gap:
    """One thing that keeps the feature from being Deployed."""

    key: str
    task_id: str | None
    message: str

    def to_dict(self) -> dict:
        return {"key": self.key, "task_id": self.task_id, "message": self.message}


@dataclass
class CompletionResult:
    """The gate's verdict and, when it passed (and this is not a dry run), the move."""

    survey: Survey
    gaps: list[Gap]
    ops_task_ids: list[str]
    spec_id: str | None = None
    files: list[str] = field(default_factory=list)
    transition: Any = None  # flowops.workflow.transitions.TransitionResult
    dry_run: bool = False
    skipped_state_check: bool = False
    evidence: OperationsEvidence | None = None

    @property
    def passed(self) -> bool:
        return not self.gaps

    def to_dict(self) -> dict:
        feature = self.survey.feature
        moved = self.transition
        return {
            "feature": {"id": feature.id, "title": feature.title, "state": moved.to_state if moved else self.survey.state},
            "completed": self.passed and moved is not None,
            "dry_run": self.dry_run,
            "gaps": [gap.to_dict() for gap in self.gaps],
            "ops_task_ids": list(self.ops_task_ids),
            "spec_id": self.spec_id,
            "files": list(self.files),
            "transition": moved.to_dict() if moved else None,
            "skipped_state_check": self.skipped_state_check,
            "verification": self.evidence.to_dict() if self.evidence else None,
            "warnings": self.survey.warnings,
        }


def is_done(task: Task, done_status: str) -> bool:
    """Done means the backlog's done status (or a task moved to completed/)."""
    return task.status.strip().lower() == done_status.strip().lower() or task.folder == "completed"


def required_tasks(found: Survey) -> list[tuple[OpsEntry, Task]]:
    """(entry, task) for every operations task the gate requires, in entry order, duplicates last."""
    pairs = [(e, e.task) for e in found.entries if e.task is not None and e.action != "orphaned"]
    return pairs + _duplicates(found)


def _duplicates(found: Survey) -> list[tuple[OpsEntry, Task]]:
    areas = {e.key: e.area for e in found.entries}
    return [(OpsEntry(key, areas.get(key, "other"), task.title, task=task), task) for key, task in found.duplicates]


def find_gaps(found: Survey, done_status: str) -> list[Gap]:
    """Everything that is not finished yet, one precise line per task or document, in entry order."""
    gaps: list[Gap] = []
    for entry in found.entries:
        if entry.action == "orphaned":
            continue
        if entry.task is None:
            what = f"alert {entry.alert.name}" if entry.alert else f"playbook {entry.playbook}"
            gaps.append(Gap(entry.key, None, f"no task for {entry.label} ({what}): {create_hint(found)}"))
        else:
            gaps.extend(_task_gaps(entry, entry.task, done_status))
        if entry.is_runbook:
            gaps.extend(_document_gaps(entry))
    for entry, task in _duplicates(found):
        gaps.extend(_task_gaps(entry, task, done_status))
    return gaps


def _task_gaps(entry: OpsEntry, task: Task, done_status: str) -> list[Gap]:
    from flowops.acceptance.done_gate import check_done

    problems = []
    if not is_done(task, done_status):
        problems.append(f"is {task.status or 'without a status'}, not {done_status}")
    # The Done gate every path to Done passes; an operations task always takes part in
    # the workflow, whatever require_checked_ac_for_done says for other tasks.
    verdict = check_done(task, done_status, setting=True)
    if not verdict.allowed:
        numbers = ", ".join(f"#{c.index}" for c in verdict.unchecked)
        problems.append(f"acceptance criteria {numbers} unchecked ({len(verdict.unchecked)} of {verdict.total})")
    if not problems:
        return []
    return [Gap(entry.key, task.id, f"{task.id} ({entry.label}) " + "; ".join(problems))]


def create_hint(found: Survey) -> str:
    """What to run so that missing operations tasks get created: operate, or first the workflow step it needs."""
    feature, decision = found.feature, found.decision
    if decision.allowed:
        return f"run `flowops operate {feature.id}` first"
    return state_hint(found)


def state_hint(found: Survey) -> str:
    """``TASK-4 is in To Do; operate runs from Validated. Next step: `flowops workflow advance specify TASK-4```."""
    feature, decision = found.feature, found.decision
    required = decision.required_states[0] if len(decision.required_states) == 1 else "one of " + ", ".join(decision.required_states)
    text = f"{feature.id} is in {found.state}; operate runs from {required}."
    if decision.runnable:
        text += f" Next step: `flowops workflow advance {decision.runnable[0]} {feature.id}`"
    return text


def _document_gaps(entry: OpsEntry) -> list[Gap]:
    # Named by the runbook task and its key label, as the task lines are: the same words
    # whether or not alert files were read (without them the alert's name is unknown).
    task_id = entry.task.id if entry.task else None
    who = f"{task_id} ({entry.label})" if task_id else entry.label
    if entry.document is None:
        return [Gap(entry.key, task_id, f"{who}: no runbook document carries {entry.label}")]
    # Judged against the skeleton it was generated from: deleting the TODO markers is not writing it.
    unfilled = runbook_fill(entry.document.body, entry.alert).skeleton_sections
    if not unfilled:
        return []
    where = entry.document.id
    return [Gap(entry.key, task_id, f"{who}: runbook document {where} still has skeleton sections: {', '.join(unfilled)}")]


def complete(project: Project, backlog: Backlog, workflow: WorkflowConfig, plugins: Plugins, feature_id: str, options: OperateOptions, *,
             spec_id: str | None = None, files: Sequence[str] = (), emit: Emit | None = None) -> CompletionResult:
    """Check the gate, then move the feature through the ``operate`` workflow and emit the events.

    Raises BlockedError (exit 4) when the feature is not in an input state (unless the
    check is skipped with a reason) or a plugin vetoes the move, CriteriaNotMet (exit 3)
    listing every gap. Either way nothing is written. With ``options.dry_run`` the
    verdict is returned without moving anything.
    """
    from flowops.workflow.transitions import advance, check_task

    reason = check_bypass(options.skip_state_check, options.reason, no_verify=options.no_verify)
    files = repository_files(project, files)
    found = survey(backlog, workflow, plugins, feature_id, options.playbooks, options.alert_files, alerts=options.alerts,
                   slo=options.slo)
    bypassed = guard(found, options.skip_state_check)
    gaps = find_gaps(found, backlog.config.done_status)
    required = required_tasks(found)
    tasks = list({task.id: task for _entry, task in required}.values())
    if options.no_verify:
        evidence = OperationsEvidence(None, skipped=unverified(tasks))
    else:
        evidence = verify_operations(project, backlog, plugins, tasks, feature_id=found.feature.id,
                                     record=not options.dry_run)
        keys = {task.id: entry.key for entry, task in required}
        gaps += [Gap(keys.get(gap.task_id, ""), gap.task_id, gap.text) for gap in evidence.gaps]
    ids = [task.id for task in tasks]
    result = CompletionResult(found, gaps, ids, spec_id, list(files), dry_run=options.dry_run, skipped_state_check=bypassed,
                              evidence=evidence)
    if gaps:
        raise CriteriaNotMet(
            f"{found.feature.id} cannot be marked {found.decision.output_state}: {len(gaps)} operations item"
            f"{'' if len(gaps) == 1 else 's'} not finished",
            problems=[Problem(gap.message) for gap in gaps],
            hint=f"`flowops ac check {found.feature.id} --recursive` lists the unchecked criteria, "
                 f"`flowops ac verify {found.feature.id} --recursive` the evidence of the bound ones and "
                 f"`flowops operate {found.feature.id} --status` the progress; finish the work, then rerun with --complete",
        )
    if options.dry_run:
        if not bypassed:
            decision = check_task(backlog, workflow, found.feature.id, "operate", plugins=plugins)
            if not decision.allowed:
                raise BlockedError(decision.message)
        return result
    emit = emitter_for(project, emit)
    result.transition = advance(
        backlog, workflow, found.feature.id, "operate", plugins=plugins, skip_state_check=options.skip_state_check,
        reason=reason, emit=emit, no_verify=options.no_verify,
    )
    if options.no_verify:
        # The bypass is evidence too: which bound criteria went unverified, and why.
        emit(VERIFICATION_SKIPPED, found.feature.id, {"workflow": "operate", "from": result.transition.from_state,
                                                      "to": result.transition.to_state, "reason": reason,
                                                      "criteria": evidence.skipped})
    data = {"ops_task_ids": ids, "title": found.feature.title, "from": result.transition.from_state,
            "to": result.transition.to_state,
            "runbooks": [e.document.id for e in found.entries if e.is_runbook and e.document and e.action != "orphaned"]}
    emit("deploy.completed", found.feature.id, data, spec_id=spec_id, files=list(files))
    emit("operate.completed", found.feature.id, data, spec_id=spec_id)
    return result


def repository_files(project: Project, files: Sequence[str | os.PathLike]) -> list[str]:
    """``files`` as repository-relative paths; UsageError for one outside the repository.

    Checked before the gate, so a typo cannot leave the feature Deployed without its
    ``deploy.completed`` (the event bus would refuse the path only after the move).
    Relative paths are relative to the repository root.
    """
    root = Path(project.root).resolve()
    shown: list[str] = []
    for raw in files:
        path = Path(os.path.normpath(Path(root, raw)))
        try:
            relative = path.relative_to(root)
        except ValueError:
            try:
                relative = path.resolve().relative_to(root)
            except ValueError:
                raise UsageError(f"file {os.fspath(raw)!r} is outside the repository ({root})",
                                 hint="--file and operate.files name paths inside the repository") from None
        text = relative.as_posix()
        if text not in shown:
            shown.append(text)
    return shown
