"""Built-in plugin: the postmortem gate on workflow moves to Done.

An incident, or its postmortem task, moved to the Done state by ``flowops workflow
set/advance`` meets the same gate as ``flowops task edit -s Done``
(``flowops.incidents.gate``): resolved, postmortem written, action items tracked.
Other tasks are not looked at; the module imports nothing heavy until one is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowops.hookspecs import hookimpl

if TYPE_CHECKING:
    from flowops.backlog.model import Task


@hookimpl
def check_transition(task: Task, from_state: str, to_state: str, workflow: str) -> str | None:
    """Refuse to move an unfinished incident or postmortem task to the done state."""
    from flowops.incidents.gate import applies_to

    if not applies_to(task):
        return None
    from flowops.backlog.store import Backlog
    from flowops.incidents.gate import veto
    from flowops.project import find_project

    project = find_project(task.path.parent if task.path is not None else None)
    backlog = Backlog(project)
    done = backlog.config.done_status.strip().lower()
    if to_state.strip().lower() not in (done, "done"):
        return None
    return veto(backlog, task)
