"""Opening, noting, acknowledging and resolving incidents; postmortems and action items.

Every change goes through the backlog store (atomic writes under the per-task lock)
while holding ``.flowops/locks/incidents.lock``, so two commands, or a command and an
Alertmanager notification, never decide on the same incident at once. Events are
collected in the ``Outcome`` and emitted through ``Outcome.emit_all(emit)`` (a
``flowops.events.emitter.Emit``) after the writes and the lock; nothing here prints or exits.

Status: an incident opened from Alertmanager starts in the backlog's first status; the
first entry a person makes (opening it by hand, an ack, a note, a resolution) moves it
to the working status (the first status that is neither the first nor the done one,
"In Progress" by default). A resolution that needs no postmortem (its severity is in
``incidents.no_postmortem_severities``, or the postmortem was waived with a reason)
also closes the incident (done status) when the Done gate allows it; otherwise the
postmortem document and task are created and the incident stays open until they are
finished (``flowops.incidents.gate``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flowops.backlog.model import Document, Task
from flowops.errors import CriteriaNotMet, NotFoundError, UsageError
from flowops.events.emitter import Emit
from flowops.incidents.lookup import children, get_incident, postmortem_document
from flowops.incidents.model import (
    ACTION_LABEL,
    ALERT_PREFIX,
    INCIDENT_LABEL,
    POSTMORTEM_LABEL,
    POSTMORTEM_TAG,
    SEVERITY_PREFIX,
    Incident,
    IncidentSettings,
    incident_tag,
    normalize_severity,
    priority_for,
)
from flowops.incidents.timeline import (
    ALERTMANAGER,
    Entry,
    append_entries,
    check_text,
    duration_text,
    format_time,
    new_entry,
    render_section,
)

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.project import Project

LOCK_NAME = "incidents.lock"
LOCK_TIMEOUT = 60.0
MAX_TITLE = 120
MAX_ALERT_LABELS = 5
QUOTED_LINES = 40


@dataclass
class Outcome:
    """What one operation did. ``action`` names it (opened, updated, unchanged, ignored, noted, ...)."""

    action: str
    incident: Incident | None = None
    entries: list[Entry] = field(default_factory=list)
    events: list[tuple[str, str | None, dict]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user should know (warnings, why nothing happened)
    postmortem_doc: Document | None = None
    postmortem_task: Task | None = None
    created: list[Task] = field(default_factory=list)
    closed: bool = False

    def to_dict(self, relpath: Callable[[Any], str]) -> dict:
        """The JSON shape shared by the commands and the receiver (stable keys)."""
        document, task = self.postmortem_doc, self.postmortem_task
        return {
            "action": self.action,
            "incident": self.incident.to_dict(relpath) if self.incident is not None else None,
            "entries": [entry.to_dict() for entry in self.entries],
            "postmortem": {
                "doc_id": document.id if document else None,
                "path": relpath(document.path) if document is not None and document.path else None,
                "task_id": task.id if task else None,
            } if document is not None or task is not None else None,
            "created": [{"id": t.id, "title": t.title} for t in self.created],
            "closed": self.closed,
            "events": [kind for kind, _task_id, _data in self.events],
            "notes": list(self.notes),
        }

    @property
    def subject(self) -> Incident:
        """The incident the operation was about (a command's outcome always names one)."""
        if self.incident is None:
            raise NotFoundError(f"no incident {self.action}")
        return self.incident

    def emit_all(self, emit: Emit) -> None:
        """Emit the events this operation collected, in order (after its writes and locks)."""
        for kind, task_id, data in self.events:
            emit(kind, task_id, data)


@contextmanager
def incidents_lock(backlog: Backlog) -> Iterator[None]:
    """Hold the backlog-wide incidents lock (one decision about incidents at a time)."""
    from flowops.locks import file_lock

    with file_lock(backlog.lock_file(LOCK_NAME), timeout=LOCK_TIMEOUT):
        yield


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# -- statuses ------------------------------------------------------------------------------


def working_status(backlog: Backlog) -> str | None:
    """The status an incident takes once a person responds: the first that is neither first nor done."""
    config = backlog.config
    first, done = config.initial_status.lower(), config.done_status.lower()
    return next((s for s in config.statuses if s.lower() not in (first, done)), None)


def _respond(backlog: Backlog, task: Task) -> None:
    """Move ``task`` from the first status to the working status (a person responded)."""
    status = working_status(backlog)
    if status and task.status.strip().lower() == backlog.config.initial_status.lower():
        task.status = status


def _write(backlog: Backlog, task_id: str, entries: list[Entry], mutate: Callable[[Task], None] | None = None) -> Task:
    def edit_body(_task: Task, body: Any) -> None:
        append_entries(body, entries)

    return backlog.update(task_id, mutate or (lambda _task: None), edit_body=edit_body).after


# -- opening -------------------------------------------------------------------------------


@dataclass
class NewIncident:
    """What opening an incident needs; ``by`` is the person (or ``alertmanager``)."""

    title: str
    by: str
    severity: str | None = None
    alerts: list[str] = field(default_factory=list)  # alert names
    feature: str | None = None
    assignees: list[str] = field(default_factory=list)
    description: str = ""
    extra_labels: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # besides the opened entry
    opened_at: datetime | None = None
    opened_text: str = ""


def open_incident(project: Project, backlog: Backlog, new: NewIncident, *, now: datetime | None = None) -> Outcome:
    """Create the incident task (with its Timeline) and say what was linked; the caller holds the lock.

    The alert's runbook (``flowops.ops.runbooks.find_runbook``) is linked in the
    description, its Diagnosis steps quoted, its document listed in the task's
    documentation; the runbook task's parent is taken as the feature when none is given.
    """
    from flowops.backlog.store import NewTask
    from flowops.ops.alerts import slugify
    from flowops.ops.runbooks import find_runbook

    now = now or utc_now()
    title = " ".join(new.title.split())
    if not title:
        raise UsageError("an incident needs a title", hint='flowops incident open "Checkout returns 502s" --severity critical')
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rsplit(" ", 1)[0] + "…"
    severity = normalize_severity(new.severity)
    feature = backlog.get(new.feature, ("tasks", "completed")).id if new.feature else None
    notes: list[str] = []
    runbooks = [find_runbook(backlog, name) for name in new.alerts[:MAX_ALERT_LABELS]]
    for link in runbooks:
        if link.task is None and link.document is None:
            notes.append(f"no runbook found for alert {link.alert} (label {link.label}); `flowops operate` creates one per alert")
        elif link.document is None and link.task is not None:
            notes.append(f"the runbook task {link.task.id} of alert {link.alert} has no runbook document")
        if feature is None and link.task is not None and link.task.parent_task_id:
            feature = link.task.parent_task_id
    description = "\n\n".join(part for part in (new.description.strip(), _runbook_text(backlog, runbooks, notes)) if part)
    if feature:
        description += f"\n\nFeature: {feature}."
    labels = [INCIDENT_LABEL]
    if severity:
        labels.append(SEVERITY_PREFIX + severity)
    labels += [ALERT_PREFIX + slugify(name) for name in new.alerts[:MAX_ALERT_LABELS] if slugify(name)]
    labels += new.extra_labels
    opened = new_entry(new.opened_at or now, "opened", new.opened_text or title, new.by)
    entries = [opened, *new.entries]
    documentation = [backlog.relpath(link.document.path) for link in runbooks if link.document is not None and link.document.path]
    status = None
    if opened.by_person:
        status = working_status(backlog)
    task = backlog.create(
        NewTask(
            title=title,
            description=description,
            status=status,
            assignees=list(new.assignees),
            labels=labels,
            priority=priority_for(severity),
            references=[feature] if feature else [],
            documentation=list(dict.fromkeys(documentation)),
            sections=[render_section(entries)],
        )
    )
    incident = Incident(task, entries, backlog.config.done_status)
    data = {
        "title": task.title,
        "severity": severity,
        "priority": task.priority,
        "source": incident.source,
        "alerts": list(new.alerts),
        "feature_id": feature,
        "opened_at": format_time(opened.at),
        "by": opened.by,
        "runbooks": [
            {"alert": link.alert, "task_id": link.task.id if link.task else None,
             "doc_id": link.document.id if link.document else None}
            for link in runbooks
        ],
    }
    return Outcome("opened", incident, entries, [("incident.opened", task.id, data)], notes)


def _runbook_text(backlog: Backlog, runbooks: list, notes: list[str]) -> str:
    """Where the responder starts: the runbook document, and its Diagnosis steps quoted."""
    from flowops.ops.runbooks import section_text, unfilled_sections

    parts: list[str] = []
    for link in runbooks:
        document, task = link.document, link.task
        if document is None and task is None:
            continue
        where = []
        if document is not None and document.path is not None:
            where.append(f"[{document.title}](<{backlog.relpath(document.file)}>) ({document.id})")
        if task is not None:
            where.append(f"task {task.id}")
        parts.append(f"Runbook for {link.alert}: start with " + ", ".join(where) + ".")
        if document is None:
            continue
        if "Diagnosis" in unfilled_sections(document.body):
            parts.append(f"Its Diagnosis section is still skeleton: the runbook for {link.alert} is not written yet.")
            notes.append(f"the runbook {document.id} of alert {link.alert} is not written yet (skeleton)")
            continue
        steps = section_text(document.body, "Diagnosis") or ""
        steps = re.sub(r"<!--.*?-->", "", steps, flags=re.S).strip("\n")
        lines = steps.split("\n")
        if len(lines) > QUOTED_LINES:
            lines = [*lines[:QUOTED_LINES], f"(… {len(lines) - QUOTED_LINES} more lines in {document.id})"]
        if steps.strip():
            parts.append("Diagnosis steps, as the runbook had them when the incident opened:\n\n"
                         + "\n".join(("> " + line).rstrip() for line in lines))
    return "\n\n".join(parts)


# -- responding ----------------------------------------------------------------------------


def _open_incident_for_change(backlog: Backlog, incident_id: str) -> Incident:
    incident = get_incident(backlog, incident_id)
    if incident.closed:
        raise UsageError(
            f"{incident.id} is closed ({incident.task.status})",
            hint=f"reopen it first (`flowops task edit {incident.id} -s \"{working_status(backlog) or 'To Do'}\"`) to add to it",
        )
    return incident


def add_note(backlog: Backlog, incident_id: str, text: str, *, by: str, at: datetime | None = None,
             now: datetime | None = None) -> Outcome:
    """Append a note (a person's timeline entry; the first one acknowledges the incident).

    ``at`` records it at an earlier time (written down after the fact); default now.
    """
    try:
        text = check_text(text, "the note")
    except ValueError as exc:
        raise UsageError(str(exc), hint=f'flowops incident note {incident_id} "rolled back to v1.4.2"') from None
    now = now or utc_now()
    with incidents_lock(backlog):
        incident = _open_incident_for_change(backlog, incident_id)
        first = incident.acknowledged_at is None
        entry = new_entry(_entry_time(incident, at, now), "note", text, by)
        task = _write(backlog, incident.id, [entry], lambda t: _respond(backlog, t))
    incident = Incident(task, [*incident.entries, entry], backlog.config.done_status)
    events: list[tuple[str, str | None, dict]] = [
        ("incident.note_added", task.id, {"by": entry.by, "text": entry.text, "at": format_time(entry.at)})]
    if first:
        events.insert(0, _acknowledged_event(incident, entry))
    return Outcome("noted", incident, [entry], events)


def acknowledge(backlog: Backlog, incident_id: str, *, by: str, at: datetime | None = None,
                now: datetime | None = None) -> Outcome:
    """Record that ``by`` acknowledged the incident (at ``at``, default now); no change once a person responded."""
    now = now or utc_now()
    with incidents_lock(backlog):
        incident = _open_incident_for_change(backlog, incident_id)
        if incident.acknowledged_at is not None:
            when = format_time(incident.acknowledged_at)
            return Outcome("unchanged", incident, notes=[f"{incident.id} was acknowledged at {when}"])
        entry = new_entry(_entry_time(incident, at, now), "ack", "acknowledged", by)
        task = _write(backlog, incident.id, [entry], lambda t: _respond(backlog, t))
    incident = Incident(task, [*incident.entries, entry], backlog.config.done_status)
    return Outcome("acknowledged", incident, [entry], [_acknowledged_event(incident, entry)])


def _entry_time(incident: Incident, at: datetime | None, now: datetime) -> datetime:
    """``at`` (default ``now``) when it lies between the incident's opening and now; UsageError otherwise."""
    if at is None:
        return now
    opened = incident.opened_at
    if opened is not None and at < opened:
        raise UsageError(
            f"the time {format_time(at)} is before {incident.id} was opened ({format_time(opened)})",
            hint="give --at a time after the opening, in UTC (2026-11-29T09:31:00Z)",
        )
    if at > now + timedelta(minutes=1):
        raise UsageError(f"the time {format_time(at)} is in the future", hint="leave --at out to record now")
    return at


def _acknowledged_event(incident: Incident, entry: Entry) -> tuple[str, str | None, dict]:
    opened = incident.opened_at
    seconds = int((entry.at - opened).total_seconds()) if opened else None
    data = {"by": entry.by, "at": format_time(entry.at), "seconds_to_acknowledge": seconds}
    return ("incident.acknowledged", incident.id, data)


# -- resolving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """How to resolve: who, when (default now), a summary, and what to do about the postmortem.

    ``postmortem``: None follows the severity settings, True creates one whatever the
    severity. ``waive``: a reason for not writing one (recorded; the incident closes).
    """

    by: str
    at: datetime | None = None
    summary: str = ""
    postmortem: bool | None = None
    waive: str | None = None


def resolve(project: Project, backlog: Backlog, incident_id: str, resolution: Resolution, settings: IncidentSettings,
            *, now: datetime | None = None) -> Outcome:
    """Record the resolution (once), then create the postmortem or close the incident."""
    now = now or utc_now()
    if resolution.waive is not None and not resolution.waive.strip():
        raise UsageError("--no-postmortem needs --reason TEXT", hint='say why, e.g. --reason "false alarm: probe misconfigured"')
    if resolution.waive is not None and resolution.postmortem:
        raise UsageError("--postmortem and --no-postmortem cannot be used together")
    with incidents_lock(backlog):
        incident = _open_incident_for_change(backlog, incident_id)
        return finish_resolution(project, backlog, incident, resolution, settings, now=now)


def finish_resolution(project: Project, backlog: Backlog, incident: Incident, resolution: Resolution, settings: IncidentSettings,
                      *, now: datetime, extra: list[Entry] | None = None) -> Outcome:
    """Resolve ``incident`` (the caller holds the incidents lock): the shared path of
    ``flowops incident resolve`` and of Alertmanager's resolved notifications."""
    entries: list[Entry] = list(extra or [])
    first_response = incident.acknowledged_at is None and resolution.by != ALERTMANAGER
    outcome = Outcome("resolved" if incident.resolved_entry is None else "unchanged", incident)
    resolved = _resolution_entry(incident, resolution, now, outcome.notes)
    entries += [resolved] if resolved is not None else []
    if resolution.waive is not None and incident.waived is None:
        entries.append(new_entry(now, "waived", f"no postmortem: {resolution.waive.strip()}", resolution.by))
    waived = resolution.waive is not None or incident.waived is not None
    required = not waived and bool(resolution.postmortem or settings.needs_postmortem(incident.severity))
    events: list[tuple[str, str | None, dict]] = []
    if required:
        _ensure_postmortem(project, backlog, incident, outcome, entries, events, resolution.by, now)
    document = outcome.postmortem_doc
    documentation = [backlog.relpath(document.file)] if document is not None and document.path else []

    def mutate(task: Task) -> None:
        if resolution.by != ALERTMANAGER:
            _respond(backlog, task)
        task.documentation = list(dict.fromkeys([*task.documentation, *documentation]))

    task = _write(backlog, incident.id, entries, mutate) if entries or documentation else incident.task
    incident = outcome.incident = Incident(task, [*incident.entries, *entries], backlog.config.done_status)
    outcome.entries = entries
    if not required and _close(backlog, incident, settings, outcome.notes, events):
        outcome.closed = True
        incident = outcome.incident = get_incident(backlog, incident.id)
    if resolved is not None:
        events.insert(0, _resolved_event(incident, resolved, resolution, outcome, required))
        if first_response:
            events.insert(0, _acknowledged_event(incident, resolved))
    if any(entry.kind == "waived" for entry in entries):
        reason = (resolution.waive or "").strip()
        events.append(("incident.postmortem_waived", incident.id, {"by": resolution.by, "reason": reason}))
    outcome.events += events
    return outcome


def _resolution_entry(incident: Incident, resolution: Resolution, now: datetime, notes: list[str]) -> Entry | None:
    """The ``resolved`` entry to add, or None (with a note) when the resolution is recorded already."""
    already = incident.resolved_entry
    if already is not None:
        notes.append(f"{incident.id} was already resolved at {format_time(already.at)}")
        return None
    at = _entry_time(incident, resolution.at, now)
    opened = incident.opened_at
    text = resolution.summary.strip() or "resolved"
    if opened is not None:
        text += f" (after {duration_text(at - opened)})"
    return new_entry(at, "resolved", text, resolution.by)


def _ensure_postmortem(project: Project, backlog: Backlog, incident: Incident, outcome: Outcome, entries: list[Entry],
                       events: list[tuple[str, str | None, dict]], by: str, now: datetime) -> None:
    """Find the postmortem document and task, creating what is missing."""
    document = postmortem_document(backlog, incident.id)
    pm_tasks = children(backlog, incident.task).postmortem
    if document is not None and pm_tasks:
        outcome.postmortem_doc, outcome.postmortem_task = document, pm_tasks[0]
        return
    document, pm_task = _create_postmortem(project, backlog, incident, entries, document, pm_tasks)
    outcome.postmortem_doc, outcome.postmortem_task = document, pm_task
    entries.append(new_entry(now, "postmortem", f"postmortem {document.id} and task {pm_task.id} created", by))
    events.append(("incident.postmortem_created", incident.id,
                   {"doc_id": document.id, "postmortem_task_id": pm_task.id, "path": backlog.relpath(document.file)}))
    if outcome.action == "unchanged":
        outcome.action = "postmortem"


def _resolved_event(incident: Incident, resolved: Entry, resolution: Resolution, outcome: Outcome,
                    required: bool) -> tuple[str, str | None, dict]:
    opened = incident.opened_at
    return ("incident.resolved", incident.id, {
        "resolved_at": format_time(resolved.at),
        "by": resolved.by,
        "summary": resolution.summary.strip() or None,
        "seconds_to_resolve": int((resolved.at - opened).total_seconds()) if opened else None,
        "severity": incident.severity,
        "postmortem_required": required,
        "postmortem_waived": resolution.waive.strip() if resolution.waive else None,
        "postmortem_doc_id": outcome.postmortem_doc.id if outcome.postmortem_doc else None,
        "postmortem_task_id": outcome.postmortem_task.id if outcome.postmortem_task else None,
        "closed": outcome.closed,
    })


def _close(backlog: Backlog, incident: Incident, settings: IncidentSettings, notes: list[str],
           events: list[tuple[str, str | None, dict]]) -> bool:
    """Move a resolved incident that needs no postmortem to the done status, through the same gates as `task edit`."""
    from flowops.acceptance.done_gate import enforce_done
    from flowops.incidents.gate import require_done_allowed

    done = backlog.config.done_status
    if incident.closed:
        return False
    before: dict[str, str] = {}

    def mutate(task: Task) -> None:
        before["status"] = task.status
        task.status = done
        setting = backlog.project.config.get("require_checked_ac_for_done")
        enforce_done(task, done, setting)  # the one Done gate of every path (criteria)
        require_done_allowed(backlog, task, settings)

    try:
        task = backlog.update(incident.id, mutate).after
    except CriteriaNotMet as exc:
        notes.append(f"{incident.id} stays open: {exc.message}")
        return False
    events.append(("task.status_changed", task.id, {"from": before.get("status"), "to": task.status}))
    events.append(("task.completed", task.id, {"title": task.title, "forced": False}))
    return True


def _create_postmortem(project: Project, backlog: Backlog, incident: Incident, entries: list[Entry], document: Document | None,
                       pm_tasks: list[Task]) -> tuple[Document, Task]:
    from flowops.backlog.documents import Documents
    from flowops.backlog.store import NewTask
    from flowops.incidents.postmortem import ACTION_SECTION, SECTIONS, render_postmortem

    if document is None:
        timeline = [entry.render() for entry in sorted([*incident.entries, *entries], key=lambda e: e.at)]
        body = render_postmortem(_facts(backlog, incident, entries), timeline, incident.id)
        document = Documents(backlog).create(
            f"Postmortem: {incident.id} {_cut_words(incident.title, 48)}", type="other", body=body,
            tags=[POSTMORTEM_TAG, incident_tag(incident.id)],
        )
    if pm_tasks:
        return document, pm_tasks[0]
    path = backlog.relpath(document.file)
    sections = ", ".join(section.title.lower() for section in SECTIONS[:-1]) + " and " + ACTION_SECTION.title.lower()
    task = backlog.create(
        NewTask(
            title=f"Postmortem: {incident.title}",
            description=(
                f"Write the blameless postmortem of incident {incident.id} in {document.id} ({path}): {sections}. "
                f"Then run `flowops incident actions {incident.id}` so that every action item becomes a task."
            ),
            parent=incident.id,
            labels=[POSTMORTEM_LABEL],
            priority=incident.task.priority,
            assignees=list(incident.task.assignees),
            documentation=[path],
            acceptance_criteria=[
                f"{document.id} has text of its own in all 6 sections and 0 skeleton prompts or `TODO(postmortem)` markers",
                f"Each action item listed in {document.id} is a task labelled {ACTION_LABEL} under {incident.id}, "
                f"created by `flowops incident actions {incident.id}`",
            ],
        )
    )
    return document, task


def _facts(backlog: Backlog, incident: Incident, entries: list[Entry]) -> list[tuple[str, str]]:
    everything = Incident(incident.task, [*incident.entries, *entries], incident.done_status)
    opened, acked, resolved = everything.opened_at, everything.acknowledged_at, everything.resolved_at

    def when(at: datetime | None) -> str:
        if at is None:
            return ""
        return format_time(at) + (f" (after {duration_text(at - opened)})" if opened and at != opened else "")

    runbooks = ", ".join(path for path in incident.task.documentation)
    return [
        ("Incident", f"{incident.id} {incident.title}"),
        ("Severity", incident.severity or "unset"),
        ("Alerts", ", ".join(incident.alerts)),
        ("Opened", (format_time(opened) + f" ({everything.source})") if opened else ""),
        ("Acknowledged", when(acked)),
        ("Resolved", when(resolved)),
        ("Runbook", runbooks),
        ("Feature", ", ".join(incident.task.references)),
    ]


# -- action items --------------------------------------------------------------------------


@dataclass
class ActionResult:
    """Each action item of the postmortem and the task tracking it (created now or before)."""

    document: Document
    items: list[tuple[Any, Task | None, bool]]  # (ActionItem, task, created now)
    dry_run: bool = False


def create_action_items(project: Project, backlog: Backlog, incident_id: str, *, dry_run: bool = False) -> tuple[ActionResult, Outcome]:
    """Turn every action item of the postmortem into a task (labelled, parented to the incident), once.

    An item already names its task (the id flowops added to its line), or matches the
    title of one of the incident's action-item tasks; the others get a task, and the
    new id is added to the item's line in the document.
    """
    from flowops.backlog.documents import Documents
    from flowops.backlog.store import NewTask
    from flowops.incidents.postmortem import action_items, annotate, task_id_pattern

    with incidents_lock(backlog):
        incident = get_incident(backlog, incident_id)
        document = postmortem_document(backlog, incident.id)
        if document is None:
            raise NotFoundError(
                f"{incident.id} has no postmortem document (tagged {POSTMORTEM_TAG} and {incident_tag(incident.id)})",
                hint=f"`flowops incident resolve {incident.id}` creates it",
            )
        pattern = task_id_pattern(backlog.config.task_prefix)
        items = action_items(document.body, pattern)
        existing = children(backlog, incident.task).actions
        matched = [match_action(item, existing) for item in items]
        missing = [item for item, task in zip(items, matched, strict=True) if task is None]
        result = ActionResult(document, [(item, task, False) for item, task in zip(items, matched, strict=True)], dry_run)
        outcome = Outcome("unchanged", incident)
        if dry_run or not missing:
            return result, outcome
        path = backlog.relpath(document.file)
        news = [
            NewTask(
                title=item.title(),
                description=(item.text + ("\n\n" + item.detail if item.detail else "")
                             + f"\n\nAction item of the postmortem {document.id} ({path}, line {item.line}) "
                             f"of incident {incident.id}."),
                parent=incident.id,
                labels=[ACTION_LABEL],
                assignees=[item.owner] if item.owner else [],
                due_date=item.due,
                documentation=[path],
            )
            for item in missing
        ]
        created = backlog.create_many(news, parents=[incident.task])
        by_item = dict(zip((id(item) for item in missing), created, strict=True))

        def mutate(doc: Document) -> None:
            body = doc.body
            for item in missing:
                body = annotate(body, item, by_item[id(item)].id)
            doc.body = body

        Documents(backlog).update(document.id, mutate)
        ids = [task.id for task in created]
        entry = new_entry(utc_now(), "action-items", f"{len(created)} action item{'s' if len(created) != 1 else ''} "
                          f"of {document.id} became tasks: {', '.join(ids)}", "flowops")
        task = _write(backlog, incident.id, [entry])
    result.items = [(item, by_item.get(id(item), task_for), id(item) in by_item)
                    for item, task_for in zip(items, matched, strict=True)]
    outcome = Outcome("created", Incident(task, [*incident.entries, entry], backlog.config.done_status), [entry], created=created)
    outcome.events.append(("incident.action_items_created", incident.id, {
        "doc_id": document.id,
        "task_ids": ids,
        "items": [{"task_id": t.id, "title": t.title, "assignee": t.assignees[0] if t.assignees else None,
                   "due_date": t.due_date} for t in created],
    }))
    return result, outcome


def match_action(item: Any, tasks: list[Task]) -> Task | None:
    """The action-item task tracking ``item``: the one it names, else the one with its title."""
    by_id = {task.id.upper(): task for task in tasks}
    for task_id in item.task_ids:
        if task_id in by_id:
            return by_id[task_id]
    title = " ".join(item.title().split()).lower()
    return next((task for task in tasks if " ".join(task.title.split()).lower() == title), None)


def _cut_words(text: str, limit: int) -> str:
    # Document titles become file names: cut at a word, without an ellipsis.
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(" :;,-")
