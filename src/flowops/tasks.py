"""Changing tasks as the domain does it: the gates in front of Done, and the ``task.*`` events.

The store (``flowops.backlog.store.Backlog``) writes files; these functions are the
operations a person or a program asks for, with everything that belongs to them, so a
library caller gets what ``flowops task create/edit/archive`` does:

- ``update_task`` runs a change under the task's lock and, when the task ends up in the
  done status, asks the Done gate (``flowops.acceptance.done_gate``: every criterion
  checked, unless ``force`` overrides it and the override is recorded) and, for a task
  that was not done before, the postmortem gate of incidents (``flowops.incidents.gate``,
  which ``force`` never waives). A refusal raises before anything is written.
- after the write it emits ``task.updated``, then ``task.status_changed`` (and
  ``task.completed`` on entering the done status) and one ``task.ac_checked`` /
  ``task.ac_unchecked`` per criterion whose tick changed.
- ``create_task`` emits ``task.created``; ``archive_task`` emits ``task.archived``.

``emit`` is a ``flowops.events.emitter.Emit``; None means the project's event bus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flowops.events.emitter import Emit, emitter_for

if TYPE_CHECKING:
    from flowops.backlog.edit import TaskEdit
    from flowops.backlog.model import Task
    from flowops.backlog.store import Backlog, NewTask, Update


def create_task(backlog: Backlog, new: NewTask, *, emit: Emit | None = None) -> Task:
    """Write a new task (or draft) and emit ``task.created``."""
    task = backlog.create(new)
    emitter_for(backlog.project, emit)(
        "task.created", task.id,
        {"title": task.title, "status": task.status, "labels": task.labels, "parent_task_id": task.parent_task_id,
         "draft": new.draft},
    )
    return task


def edit_task(backlog: Backlog, task_id: str, edit: TaskEdit, *, force: bool = False, emit: Emit | None = None) -> Update:
    """Apply ``edit`` (``flowops task edit``) through ``update_task``: gated, written, its events emitted."""
    from flowops.backlog.edit import apply_edit

    return update_task(backlog, task_id, lambda task: apply_edit(task, edit), force=force, emit=emit)


def update_task(backlog: Backlog, task_id: str, mutate: Callable[[Task], None], *, force: bool = False,
                emit: Emit | None = None) -> Update:
    """Change a task with ``mutate`` under its lock; see the module docstring for the gates and events.

    Raises CriteriaNotMet (exit 3) when the task may not be Done, UsageError for a bad
    edit; nothing is written then. ``force`` lets a task be Done with unchecked
    criteria; the overridden criteria go into ``task.status_changed`` (the audit log).
    """
    forced: list[str] = []

    def gated(task: Task) -> None:
        done = backlog.config.done_status
        was_done = _is_done(task.status, done)
        mutate(task)
        if _is_done(task.status, done):
            forced.extend(_criteria_gate(backlog, task, force))
            if not was_done:
                # Incidents and postmortems: force waives criteria, never the postmortem.
                from flowops.incidents.gate import applies_to, require_done_allowed

                if applies_to(task):
                    require_done_allowed(backlog, task)

    update = backlog.update(task_id, gated)
    if update.changed:
        _emit_update_events(backlog, update, forced, emitter_for(backlog.project, emit))
    return update


def archive_task(backlog: Backlog, task_id: str, *, emit: Emit | None = None) -> Task:
    """Move a task to ``archive/tasks/`` and emit ``task.archived``."""
    task = backlog.archive(task_id)
    emitter_for(backlog.project, emit)("task.archived", task.id, {"title": task.title})
    return task


def _is_done(status: str, done_status: str) -> bool:
    from flowops.acceptance.done_gate import is_done_status

    return is_done_status(status, done_status)


def _criteria_gate(backlog: Backlog, task: Task, force: bool) -> list[str]:
    from flowops.acceptance.done_gate import enforce_done

    setting = backlog.project.config.get("require_checked_ac_for_done")
    return enforce_done(task, backlog.config.done_status, setting, force=force, hint=(
        f"check them with `flowops task edit {task.id} --check-ac N` once they are true, "
        "or pass --force (recorded in the audit log)"))


def _emit_update_events(backlog: Backlog, update: Update, forced: list[str], emit: Emit) -> None:
    before, after = update.before, update.after
    emit("task.updated", after.id, {"changed": update.changed, "title": after.title, "labels": after.labels})
    if before.status != after.status:
        data: dict[str, object] = {"from": before.status, "to": after.status}
        if forced:
            data.update({"forced": True, "unchecked_criteria": forced})
        emit("task.status_changed", after.id, data)
        if after.status.lower() == backlog.config.done_status.lower():
            emit("task.completed", after.id, {"title": after.title, "forced": bool(forced)})
    before_checked = {c.text: c.checked for c in before.acceptance_criteria}
    for criterion in after.acceptance_criteria:
        was = before_checked.get(criterion.text)
        if was is None or was == criterion.checked:
            continue
        kind = "task.ac_checked" if criterion.checked else "task.ac_unchecked"
        emit(kind, after.id, {"index": criterion.index, "text": criterion.text})
