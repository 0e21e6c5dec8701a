"""The evidence part of ``operate --complete``: a ticked criterion must also pass its check.

Every criterion of the operations tasks that is bound to a check (``verify:``) is
verified against the repository. A ticked criterion whose check fails, is skipped or
errors is a gap, with the check's evidence under it: the tick is not trusted over the
evidence. ``--no-verify --reason`` skips this (never the rest of the gate); the bound
criteria that went unverified are then emitted as ``workflow.verification_skipped``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowops.acceptance.verify import CriterionVerdict, VerifyReport
from flowops.backlog.model import Task

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins
    from flowops.project import Project


@dataclass(frozen=True)
class EvidenceGap:
    """A ticked criterion whose check did not pass: which, why, and the evidence lines."""

    task_id: str
    index: int
    message: str
    evidence: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The gap as one block: the message, then one indented line per piece of evidence."""
        return "\n      ".join([self.message, *self.evidence])


@dataclass
class OperationsEvidence:
    """The verification of the operations tasks, or what was left unverified with ``--no-verify``."""

    report: VerifyReport | None
    gaps: list[EvidenceGap] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        summary = self.report.summary if self.report else None
        return {"verified": self.report is not None, "summary": summary, "skipped": list(self.skipped),
                "commit": self.report.state.head if self.report else None,
                "dirty": self.report.state.dirty if self.report else None}


def verify_operations(project: Project, backlog: Backlog, plugins: Plugins, tasks: Sequence[Task], *, feature_id: str,
                      record: bool = True) -> OperationsEvidence:
    """Verify the bound criteria of ``tasks``; a ticked one whose check does not pass is an EvidenceGap."""
    from flowops.acceptance.verify import verify_tasks
    from flowops.checks.runner import make_runner

    runner = make_runner(project, backlog, plugins)
    report = verify_tasks(project, runner, list(tasks), command=f"operate {feature_id} --complete", record_audit=record)
    return OperationsEvidence(report, [_gap(v) for v in report.results if v.bound and v.checked and v.status != "pass"])


def unverified(tasks: Sequence[Task]) -> list[dict]:
    """The bound criteria of ``tasks`` (what ``--no-verify`` leaves unverified), as {taskId, index, check}."""
    from flowops.checks.binding import BindingError, find_binding

    found = []
    for task in tasks:
        for criterion in task.acceptance_criteria:
            try:
                binding = find_binding(criterion.text)
                check = binding.check if binding else None
            except BindingError as exc:
                check = exc.check
            if check is not None:
                found.append({"taskId": task.id, "index": criterion.index, "check": check, "checked": criterion.checked})
    return found


def _gap(verdict: CriterionVerdict) -> EvidenceGap:
    what = {"fail": "fails", "skipped": "was skipped", "error": "errored"}.get(verdict.status, verdict.status)
    message = (f"{verdict.task_id} #{verdict.index} is ticked but its check `verify: {verdict.check}` {what}: "
               f"{verdict.summary}")
    return EvidenceGap(verdict.task_id, verdict.index, message, tuple(str(e) for e in verdict.evidence))
