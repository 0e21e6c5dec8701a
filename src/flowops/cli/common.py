"""Small pieces several command modules share: opening the backlog, splitting list options."""

from __future__ import annotations

from collections.abc import Iterable

from flowops.backlog.store import Backlog
from flowops.project import Project, find_project


def open_backlog(*, require: bool = True) -> tuple[Project, Backlog]:
    """The project of the current folder and its backlog (UsageError when there is none)."""
    project = find_project()
    backlog = Backlog(project)
    if require:
        backlog.require()
    return project, backlog


def split_values(values: Iterable[str] | None) -> list[str]:
    """Repeatable and comma-separated option values, as Backlog.md accepts them (``-l a,b -l c``)."""
    out: list[str] = []
    for value in values or ():
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def workflow_states(project: Project, tasks) -> dict[str, str | None]:
    """Workflow state per task id, for tasks that carry a ``workflow:`` label (others are left out).

    The workflow file is read only when some task has such a label; a label that names
    no known state maps to None rather than failing the whole listing.
    """
    from flowops.workflow.state import has_state_label, state_of

    labelled = [t for t in tasks if has_state_label(t.labels)]
    if not labelled:
        return {}
    from flowops.errors import FlowopsError
    from flowops.workflow.loader import load_workflow

    try:
        config = load_workflow(project)
    except FlowopsError:
        return {t.id: None for t in labelled}
    states: dict[str, str | None] = {}
    for task in labelled:
        try:
            states[task.id] = state_of(task.labels, config, task=task.id)
        except FlowopsError:
            states[task.id] = None
    return states
