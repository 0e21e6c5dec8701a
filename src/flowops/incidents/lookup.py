"""Finding incidents, their subtasks and their postmortem documents in a backlog (reads only).

Incidents are found like ``flowops operate`` finds its tasks: the files of ``tasks/``
and ``completed/`` are read as bytes and only those containing the label text are
parsed, so a large backlog is scanned without building every task. Unreadable files
are reported as warnings and skipped, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowops.backlog.model import Document, Task
from flowops.backlog.naming import id_parts
from flowops.errors import NotFoundError
from flowops.incidents.model import (
    ACTION_LABEL,
    INCIDENT_LABEL,
    POSTMORTEM_LABEL,
    POSTMORTEM_TAG,
    Incident,
    has_label,
    incident_tag,
)
from flowops.incidents.timeline import read_timeline

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog

FOLDERS = ("tasks", "completed")


@dataclass
class Found:
    """Incidents read from the backlog, oldest id first, and the files that could not be read."""

    incidents: list[Incident] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_incidents(backlog: Backlog, *, containing: str = INCIDENT_LABEL, families: dict[str, Children] | None = None) -> Found:
    """Every incident in ``tasks/`` and ``completed/`` (only files whose text holds ``containing`` are parsed).

    With ``families`` (a dict to fill), the postmortem and action-item tasks met on the
    same scan are filed in it by their parent's id in upper case.
    """
    from flowops.backlog.taskfile import TaskFile, TaskParseError, read_backlog_file

    found = Found()
    markers = [containing.encode("utf-8")]
    if families is not None:
        markers += [ACTION_LABEL.encode(), POSTMORTEM_LABEL.encode()]
    done = backlog.config.done_status
    for ref in backlog.scan(FOLDERS):
        try:
            raw = read_backlog_file(ref.path)  # a regular file only, size checked first (flowops.safeio)
        except FileNotFoundError:
            continue  # moved meanwhile
        except TaskParseError as exc:
            found.warnings.append(f"{backlog.relpath(ref.path)}: skipped, cannot be read: {exc.reason}")
            continue
        except OSError as exc:
            found.warnings.append(f"{backlog.relpath(ref.path)}: cannot read: {exc.strerror or exc}")
            continue
        if not any(marker in raw for marker in markers):
            continue
        try:
            task_file = TaskFile(raw, ref.path, ref.folder)
        except TaskParseError as exc:
            where = backlog.relpath(ref.path) + (f":{exc.line}" if exc.line else "")
            found.warnings.append(f"{where}: skipped, cannot be read: {exc.reason}")
            continue
        task = task_file.parsed
        if has_label(task, INCIDENT_LABEL):
            found.incidents.append(Incident(task, read_timeline(task_file.body), done))
        elif families is not None:
            _file(families, task)
    found.incidents.sort(key=lambda incident: _order(incident.task))
    if families is not None:
        _sort(families)
    return found


def get_incident(backlog: Backlog, id_text: str) -> Incident:
    """The incident ``id_text``; NotFoundError when there is no such task or it is not an incident."""
    task_file, _duplicates = backlog.locate(id_text, FOLDERS)
    task = task_file.task
    if not has_label(task, INCIDENT_LABEL):
        raise NotFoundError(
            f"{task.id} is not an incident (it has no {INCIDENT_LABEL} label)",
            hint="`flowops incident list` shows the incidents",
        )
    return Incident(task, read_timeline(task_file.body), backlog.config.done_status)


@dataclass
class Children:
    """An incident's postmortem tasks and action-item tasks (``tasks/`` and ``completed/``), and archived ones."""

    postmortem: list[Task] = field(default_factory=list)
    actions: list[Task] = field(default_factory=list)
    archived: list[Task] = field(default_factory=list)


def children(backlog: Backlog, incident: Task) -> Children:
    """The subtasks of ``incident`` that flowops made for it, by label."""
    result = Children()
    for task in backlog.subtasks(incident, (*FOLDERS, "archive")):
        if task.folder == "archive":
            if has_label(task, ACTION_LABEL) or has_label(task, POSTMORTEM_LABEL):
                result.archived.append(task)
        elif has_label(task, POSTMORTEM_LABEL):
            result.postmortem.append(task)
        elif has_label(task, ACTION_LABEL):
            result.actions.append(task)
    return result


def postmortem_document(backlog: Backlog, incident_id: str, documents: list[Document] | None = None) -> Document | None:
    """The postmortem document of the incident: tagged ``postmortem`` and ``incident:<id>`` (lowest doc id)."""
    if documents is None:
        from flowops.backlog.documents import Documents

        documents, _bad = Documents(backlog).list()
    wanted = {POSTMORTEM_TAG, incident_tag(incident_id)}
    for document in documents:
        if wanted <= {tag.strip().lower() for tag in document.tags}:
            return document
    return None


def _order(task: Task) -> tuple:
    parsed = id_parts(task.id)
    return (0, parsed[1]) if parsed else (1, (), task.id)


def _file(families: dict[str, Children], task: Task) -> None:
    if has_label(task, POSTMORTEM_LABEL):
        families.setdefault((task.parent_task_id or "").upper(), Children()).postmortem.append(task)
    elif has_label(task, ACTION_LABEL):
        families.setdefault((task.parent_task_id or "").upper(), Children()).actions.append(task)


def _sort(families: dict[str, Children]) -> None:
    for family in families.values():
        family.postmortem.sort(key=_order)
        family.actions.sort(key=_order)
