"""The one gate in front of the done status: may this task be Done now?

Every path that puts a task into the done status asks ``check_done``: ``task edit -s
Done`` (the backlog status), ``workflow set``/``workflow advance`` into the workflow's
done state, and ``operate`` (its completion gate over the operations tasks, and its
own move when the operate workflow leads to the done state). A gate asked in one place
only is a gate with a side door: ``workflow set ID Done --via manual`` used to move a
task with 0 of 3 criteria checked.

Today the gate counts ticks: a task that takes part in the workflow (a ``workflow:`` or
``ops:`` label), or any task when ``require_checked_ac_for_done = true``, needs every
acceptance criterion checked. Evidence from bound checks is meant to join here, in this
function, so that every path gets it at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowops.backlog.model import Task
from flowops.backlog.sections import Criterion
from flowops.errors import CriteriaNotMet, Problem

WORKFLOW_LABEL_PREFIXES = ("workflow:", "ops:")


@dataclass(frozen=True)
class DoneVerdict:
    """The gate's answer for one task: ``allowed``, and what keeps it from Done."""

    task_id: str
    done_status: str
    required: bool
    unchecked: list[Criterion] = field(default_factory=list)
    total: int = 0

    @property
    def allowed(self) -> bool:
        return not (self.required and self.unchecked)

    def refusal(self, *, hint: str | None = None) -> CriteriaNotMet:
        """The exit-3 error naming each unchecked criterion on its own line."""
        return CriteriaNotMet(
            f"{self.task_id} cannot be {self.done_status}: {len(self.unchecked)} of {self.total} acceptance criteria unchecked",
            problems=[Problem(f"#{c.index} {c.text}") for c in self.unchecked],
            hint=hint or f"check them with `flowops task edit {self.task_id} --check-ac N` once they are true",
        )


def requires_checked_criteria(task: Task, setting: bool | None) -> bool:
    """Whether Done needs every criterion checked: the config setting, or by default tasks
    that take part in the workflow (a ``workflow:`` or ``ops:`` label)."""
    if setting is not None:
        return setting
    return any(label.strip().lower().startswith(WORKFLOW_LABEL_PREFIXES) for label in task.labels)


def check_done(task: Task, done_status: str, setting: bool | None = None) -> DoneVerdict:
    """Decide whether ``task``, as it is now, may be in the done status (whatever its status is).

    ``setting`` is ``require_checked_ac_for_done`` from the config (None: the default
    rule, see ``requires_checked_criteria``). Callers that cannot be overridden raise
    ``verdict.refusal()`` when not ``verdict.allowed``; ``task edit --force`` records the
    overridden criteria instead.
    """
    return DoneVerdict(
        task_id=task.id,
        done_status=done_status,
        required=requires_checked_criteria(task, setting),
        unchecked=task.unchecked_criteria(),
        total=len(task.acceptance_criteria),
    )


def enforce_done(task: Task, done_status: str, setting: bool | None = None, *, force: bool = False,
                 hint: str | None = None) -> list[str]:
    """Raise the gate's refusal (exit 3) unless ``task`` may be Done; with ``force``, never raise.

    Returns the texts of the unchecked criteria a ``force`` overrode, for the audit log
    (empty when nothing was overridden).
    """
    verdict = check_done(task, done_status, setting)
    if force:
        return [c.text for c in verdict.unchecked]
    if not verdict.allowed:
        raise verdict.refusal(hint=hint)
    return []


def is_done_status(status: str, done_status: str) -> bool:
    """True when ``status`` (a backlog status or a workflow state) names the done status."""
    return status.strip().casefold() == done_status.strip().casefold()
