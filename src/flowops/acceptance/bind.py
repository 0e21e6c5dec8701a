"""``flowops ac bind`` and ``ac unbind``: attach a check to a criterion, or take it off.

The binding is written into the criterion's text (``flowops.checks.binding``); its tick
is kept. A check that does not exist, or arguments it refuses, are refused before
anything is written.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowops.backlog.model import Task
from flowops.checks.binding import Binding, BindingError, bind, parse_check, strip_binding
from flowops.checks.runner import Runner
from flowops.errors import UsageError
from flowops.events.emitter import Emit, emitter_for

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog


@dataclass
class BindResult:
    task: Task
    number: int
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def bind_criterion(backlog: Backlog, runner: Runner, task_id: str, number: int, words: Sequence[str], *,
                   emit: Emit | None = None) -> BindResult:
    """Bind criterion ``number`` of the task to the check ``words`` (``["k8s.hpa", "--min", "3"]``).

    A change emits ``task.updated`` (``emit`` None: the project's event bus).
    """
    check = shlex.join(words)
    try:
        binding = Binding("", check, parse_check(check))
    except BindingError as exc:
        raise UsageError(str(exc), hint="write the check after `--`: flowops ac bind ID N -- k8s.resources") from None
    problem = runner.validate(binding)
    if problem is not None:
        raise UsageError(problem, hint="`flowops ac checks` lists every check and its arguments")
    return _edit(backlog, task_id, number, lambda text: bind(text, list(words)), emit)


def unbind_criterion(backlog: Backlog, task_id: str, number: int, *, emit: Emit | None = None) -> BindResult:
    """Take the binding off criterion ``number`` (nothing is written when it has none); a change emits ``task.updated``."""
    return _edit(backlog, task_id, number, strip_binding, emit)


def _edit(backlog: Backlog, task_id: str, number: int, change: Callable[[str], str], emit: Emit | None) -> BindResult:
    found: dict[str, Any] = {}

    def mutate(task: Task) -> None:
        criteria = task.acceptance_criteria
        if not 1 <= number <= len(criteria):
            available = f"#1..#{len(criteria)}" if criteria else "none"
            raise UsageError(f"acceptance criterion #{number} does not exist on {task.id} (available: {available})",
                             hint=f"`flowops task view {task.id} --plain` shows the criteria and their numbers")
        criterion = criteria[number - 1]
        found["before"] = criterion.text
        # An unreadable binding is replaced (bind) or removed (unbind) like a readable one.
        criterion.text = change(criterion.text)
        found["after"] = criterion.text

    update = backlog.update(task_id, mutate)
    result = BindResult(update.after, number, found["before"], found["after"])
    if result.changed:
        emitter_for(backlog.project, emit)(
            "task.updated", result.task.id,
            {"changed": ["acceptance_criteria"], "title": result.task.title, "criterion": number, "text": result.after},
        )
    return result
