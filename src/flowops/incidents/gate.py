"""The postmortem gate: what keeps an incident (or its postmortem task) from being Done.

An incident (label ``ops:incident``) may be Done only when

- its resolution is recorded (``flowops incident resolve``, or Alertmanager's resolved
  notification), and
- unless its severity is in ``incidents.no_postmortem_severities`` or the postmortem
  was waived with a reason (and no postmortem was asked for anyway): its postmortem
  document exists and is written (``flowops.incidents.postmortem.check_postmortem``),
  and every action item listed in it is a task labelled ``ops:action-item`` under the
  incident (``flowops incident actions``), not archived.

A postmortem task (label ``ops:postmortem``) may be Done only when the postmortem of
its parent incident passes the same document and action-item checks.

The gate is asked on every path to Done: ``flowops task edit -s Done`` (and
``incident resolve`` closing an incident) call ``require_done_allowed``; workflow moves
(``workflow set/advance``) reach it through the built-in ``incidents`` plugin's
``check_transition``. Each problem names the file and line to fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowops.backlog.model import Document, Task
from flowops.errors import CriteriaNotMet, NotFoundError, Problem
from flowops.incidents.lookup import Children
from flowops.incidents.model import (
    INCIDENT_LABEL,
    POSTMORTEM_LABEL,
    SEVERITY_PREFIX,
    Incident,
    IncidentSettings,
    has_label,
    label_values,
)

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog


def applies_to(task: Task) -> bool:
    """True for the tasks the gate judges: incidents and postmortem tasks."""
    return has_label(task, INCIDENT_LABEL) or has_label(task, POSTMORTEM_LABEL)


def done_problems(backlog: Backlog, task: Task, settings: IncidentSettings) -> list[Problem]:
    """Why ``task`` may not be Done (empty when it may). ``task`` may hold unsaved edits (its labels count)."""
    if has_label(task, INCIDENT_LABEL):
        return _incident_problems(backlog, task, settings)
    if has_label(task, POSTMORTEM_LABEL):
        if not task.parent_task_id:
            return [Problem(f"{task.id} is a postmortem task without a parent incident: set its parent to the incident")]
        return postmortem_problems(backlog, task.parent_task_id)
    return []


def require_done_allowed(backlog: Backlog, task: Task, settings: IncidentSettings | None = None) -> None:
    """Raise CriteriaNotMet (exit 3) listing every problem when ``task`` may not be Done."""
    settings = settings or IncidentSettings.from_config(backlog.project.config)
    problems = done_problems(backlog, task, settings)
    if problems:
        raise CriteriaNotMet(_summary(backlog, task, problems), problems=problems, hint=_hint(task))


def veto(backlog: Backlog, task: Task, settings: IncidentSettings | None = None) -> str | None:
    """The gate's answer as a ``check_transition`` reason (None when Done is allowed)."""
    settings = settings or IncidentSettings.from_config(backlog.project.config)
    problems = done_problems(backlog, task, settings)
    if not problems:
        return None
    listed = "".join(f"\n  - {problem}" for problem in problems)
    return f"{_summary(backlog, task, problems)}{listed}\nhint: {_hint(task)}"


def _summary(backlog: Backlog, task: Task, problems: list[Problem]) -> str:
    what = "incident" if has_label(task, INCIDENT_LABEL) else "postmortem task"
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return f"{task.id} cannot be {backlog.config.done_status}: the {what} is not finished ({count})"


def _hint(task: Task) -> str:
    incident = task.id if has_label(task, INCIDENT_LABEL) else (task.parent_task_id or task.id)
    return (f"write the postmortem, run `flowops incident actions {incident}`, and see where it stands with "
            f"`flowops incident show {incident}`")


def _incident_problems(backlog: Backlog, task: Task, settings: IncidentSettings) -> list[Problem]:
    from flowops.incidents.lookup import get_incident, postmortem_document

    try:
        incident = get_incident(backlog, task.id)
    except NotFoundError:
        return []  # not written yet: a brand-new task has no timeline to judge
    problems: list[Problem] = []
    if incident.resolved_entry is None:
        problems.append(Problem(f"{task.id} is not resolved: run `flowops incident resolve {task.id}` once it is"))
    severities = label_values(task.labels, SEVERITY_PREFIX)
    needed = settings.needs_postmortem(severities[0] if severities else None)
    if incident.waived is None and (needed or postmortem_document(backlog, task.id) is not None):
        problems += postmortem_problems(backlog, task.id)
    return problems


def postmortem_problems(backlog: Backlog, incident_id: str, *, documents: list[Document] | None = None,
                        family: Children | None = None) -> list[Problem]:
    """What is missing from the postmortem of ``incident_id``: the document, its sections, its action-item tasks.

    ``documents`` (every document) and ``family`` (the incident's subtasks) may be given
    when they were read already, as listings of many incidents do.
    """
    from flowops.backlog.documents import Documents
    from flowops.incidents.lifecycle import match_action
    from flowops.incidents.lookup import children, postmortem_document
    from flowops.incidents.model import ACTION_LABEL, POSTMORTEM_TAG, incident_tag
    from flowops.incidents.postmortem import (
        action_items,
        check_postmortem,
        task_id_pattern,
    )

    document = postmortem_document(backlog, incident_id, documents)
    if document is None:
        return [Problem(f"no postmortem document (tagged {POSTMORTEM_TAG}, {incident_tag(incident_id)}): "
                        f"`flowops incident resolve {incident_id}` creates it")]
    path = backlog.relpath(document.path) if document.path else document.id
    try:
        offset = Documents(backlog).locate(document.id).split.body_first_line - 1
    except Exception:  # the document was read a moment ago; a race must not hide the real problems
        offset = 0
    problems = [Problem(finding.message, path, finding.line + offset if finding.line else None)
                for finding in check_postmortem(document.body)]
    if family is None:
        incident_task = backlog.get(incident_id, ("tasks", "completed"))
        incident_id = incident_task.id
        family = children(backlog, incident_task)
    archived = {task.id.upper(): task for task in family.archived}
    for item in action_items(document.body, task_id_pattern(backlog.config.task_prefix)):
        if match_action(item, family.actions) is not None:
            continue
        where_line = item.line + offset
        gone = [task_id for task_id in item.task_ids if task_id in archived]
        if gone:
            message = (f"action item '{item.title(60)}' is tracked by {', '.join(gone)}, which was archived: restore it "
                       "or take the item out of the postmortem")
        elif item.task_ids:
            message = (f"action item '{item.title(60)}' names {', '.join(item.task_ids)}, which is not an action item of "
                       f"{incident_id} (label {ACTION_LABEL}, parent {incident_id}): "
                       f"run `flowops incident actions {incident_id}`")
        else:
            message = f"action item '{item.title(60)}' has no task: run `flowops incident actions {incident_id}`"
        problems.append(Problem(message, path, where_line))
    return problems


def postmortem_status(backlog: Backlog, incident: Incident, settings: IncidentSettings, *,
                      documents: list[Document] | None = None, family: Children | None = None) -> dict:
    """Where the incident's postmortem stands, for listings: required, waived, its document and task, problems."""
    from flowops.incidents.lookup import postmortem_document

    document = postmortem_document(backlog, incident.id, documents)
    waived = incident.waived
    required = waived is None and (settings.needs_postmortem(incident.severity) or document is not None)
    problems = postmortem_problems(backlog, incident.id, documents=documents, family=family) if required else []
    if family is None:
        from flowops.incidents.lookup import children

        family = children(backlog, incident.task)
    if waived is not None:
        state = "waived"
    elif not required:
        state = "not needed"
    elif document is None:
        state = "missing"
    else:
        state = "unfinished" if problems else "finished"
    return {
        "state": state,
        "required": required,
        "waived": waived.text if waived is not None else None,
        "doc_id": document.id if document else None,
        "path": backlog.relpath(document.path) if document is not None and document.path else None,
        "task_id": family.postmortem[0].id if family.postmortem else None,
        "problems": [str(problem) for problem in problems],
    }
