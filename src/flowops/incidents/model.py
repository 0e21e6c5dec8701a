"""What an incident is in the backlog, read back from its task (pure, no I/O).

An incident is an ordinary Backlog.md task carrying the label ``ops:incident``. What
flowops needs to know about it lives where Backlog.md keeps it intact:

- labels: ``severity:<level>``, ``alert:<slug>`` per alert name, and for an incident
  opened from Alertmanager ``alert-group:<hash>`` (the first 16 hex digits of the
  SHA-256 of the notification's ``groupKey``; the key itself is too long and full of
  quotes and braces for a label);
- the ``## Timeline`` section of the body (``flowops.incidents.timeline``);
- its subtasks: the postmortem task (``ops:postmortem``) and the action items
  (``ops:action-item``);
- the postmortem document, tagged ``postmortem`` and ``incident:<id>``.

States, derived from these: ``triggered`` (nobody has responded), ``acknowledged`` (a
person wrote to the timeline: opened it, acknowledged, noted, changed the severity or
resolved it), ``resolved`` (a resolution is recorded) and ``closed`` (the task is Done
or in ``completed/``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flowops.backlog.model import Task
from flowops.incidents.timeline import ALERTMANAGER, Entry, format_time

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from flowops.config import Config

INCIDENT_LABEL = "ops:incident"
POSTMORTEM_LABEL = "ops:postmortem"
ACTION_LABEL = "ops:action-item"
SEVERITY_PREFIX = "severity:"
ALERT_PREFIX = "alert:"
GROUP_PREFIX = "alert-group:"
POSTMORTEM_TAG = "postmortem"
UNSET_SEVERITY = "unset"
DEFAULT_NO_POSTMORTEM = ["warning", "ticket", "info"]  # ticket: the SLO burn-rate alerts that do not page

# Severity words seen in Alertmanager labels, PagerDuty and incident.io, mapped to the
# Backlog.md priority of the incident task. Unknown severities are taken as serious.
_PRIORITIES = {
    "high": ("critical", "page", "emergency", "fatal", "disaster", "high", "major", "sev0", "sev1", "p0", "p1"),
    "medium": ("error", "warning", "warn", "ticket", "medium", "moderate", "average", "sev2", "p2"),
    "low": ("info", "informational", "notice", "low", "minor", "none", "sev3", "sev4", "sev5", "p3", "p4", "p5"),
}
PRIORITY_OF = {severity: priority for priority, names in _PRIORITIES.items() for severity in names}
# Which of two severities is worse, for a group whose alerts disagree.
_RANK = {name: rank for rank, name in enumerate(("info", "warning", "error", "critical", "page"))} | {"ticket": 1}


def priority_for(severity: str | None) -> str:
    """The task priority for ``severity``: high, medium or low (high when unknown or unset)."""
    return PRIORITY_OF.get((severity or "").strip().lower(), "high")


def worse(a: str | None, b: str | None) -> str | None:
    """The more severe of two severities (by the usual ladder info < warning < error < critical < page)."""
    if not a:
        return b
    if not b:
        return a
    return b if _RANK.get(b.lower(), 2) > _RANK.get(a.lower(), 2) else a


def normalize_severity(text: str | None) -> str | None:
    """A severity as stored in the label: trimmed, lower case, no spaces or commas."""
    if text is None:
        return None
    value = "-".join(text.strip().lower().replace(",", " ").split())
    return value or None


def group_label(group_key: str) -> str:
    """The label that identifies the incident of an Alertmanager group (``alert-group:<16 hex>``)."""
    return GROUP_PREFIX + hashlib.sha256(group_key.encode("utf-8")).hexdigest()[:16]


def incident_tag(task_id: str) -> str:
    """The document tag that ties a postmortem to its incident (``incident:task-7``)."""
    return f"incident:{task_id.lower()}"


def label_values(labels: list[str], prefix: str) -> list[str]:
    """The values of the labels starting with ``prefix`` (``severity:critical`` -> ``critical``)."""
    values = [label.strip()[len(prefix):] for label in labels if label.strip().lower().startswith(prefix)]
    return [value for value in values if value]


def has_label(task: Task, label: str) -> bool:
    return any(item.strip().lower() == label for item in task.labels)


@dataclass(frozen=True)
class IncidentSettings:
    """The ``[incidents]`` settings of ``.flowops/config.toml``."""

    no_postmortem_severities: tuple[str, ...] = tuple(DEFAULT_NO_POSTMORTEM)

    @classmethod
    def from_config(cls, config: Config) -> IncidentSettings:
        values = config.get("incidents.no_postmortem_severities", DEFAULT_NO_POSTMORTEM)
        return cls(tuple(normalize_severity(v) or UNSET_SEVERITY for v in values))

    def needs_postmortem(self, severity: str | None) -> bool:
        """Whether an incident of ``severity`` must have a postmortem before it is Done."""
        return (normalize_severity(severity) or UNSET_SEVERITY) not in self.no_postmortem_severities


@dataclass
class Incident:
    """An incident task and its timeline, with what is derived from them."""

    task: Task
    entries: list[Entry] = field(default_factory=list)
    done_status: str = "Done"

    @property
    def id(self) -> str:
        return self.task.id

    @property
    def title(self) -> str:
        return self.task.title

    @property
    def severity(self) -> str | None:
        values = label_values(self.task.labels, SEVERITY_PREFIX)
        return values[0] if values else None

    @property
    def alerts(self) -> list[str]:
        """The alert slugs of its ``alert:`` labels."""
        return label_values(self.task.labels, ALERT_PREFIX)

    @property
    def group(self) -> str | None:
        """Its ``alert-group:`` label, for an incident opened from Alertmanager."""
        for label in self.task.labels:
            if label.strip().lower().startswith(GROUP_PREFIX):
                return label.strip().lower()
        return None

    def _sorted(self) -> list[Entry]:
        return sorted(self.entries, key=lambda e: e.at)

    @property
    def opened_at(self) -> datetime | None:
        """The time of its ``opened`` entry, else its creation date."""
        opened = next((e for e in self.entries if e.kind == "opened"), None)
        if opened is not None:
            return opened.at
        try:
            return datetime.strptime(self.task.created_date, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        except ValueError:
            return None

    @property
    def source(self) -> str:
        opened = next((e for e in self.entries if e.kind == "opened"), None)
        return ALERTMANAGER if opened is not None and opened.by == ALERTMANAGER else "manual"

    @property
    def acknowledged_at(self) -> datetime | None:
        """When a person first wrote to the timeline (see the module docstring)."""
        first = next((e for e in self._sorted() if e.by_person), None)
        return first.at if first is not None else None

    @property
    def resolved_entry(self) -> Entry | None:
        return next((e for e in self.entries if e.kind == "resolved"), None)

    @property
    def resolved_at(self) -> datetime | None:
        entry = self.resolved_entry
        return entry.at if entry is not None else None

    @property
    def waived(self) -> Entry | None:
        """The entry waiving the postmortem, if there is one."""
        return next((e for e in self.entries if e.kind == "waived"), None)

    @property
    def closed(self) -> bool:
        return self.task.folder == "completed" or self.task.status.strip().lower() == self.done_status.strip().lower()

    @property
    def state(self) -> str:
        if self.closed:
            return "closed"
        if self.resolved_entry is not None:
            return "resolved"
        if self.acknowledged_at is not None:
            return "acknowledged"
        return "triggered"

    def alert_states(self) -> dict[str, str]:
        """Fingerprint -> ``firing`` or ``resolved``: what the timeline last said of each alert."""
        from flowops.incidents.timeline import fingerprints_in

        states: dict[str, str] = {}
        for entry in self.entries:
            if entry.kind in ("firing", "alert-resolved", "resolved"):
                for fingerprint in fingerprints_in(entry.text):
                    states[fingerprint] = "firing" if entry.kind == "firing" else "resolved"
        return states

    def to_dict(self, relpath: Callable[[Path], str] | None = None) -> dict:
        """The ``--json`` shape of one incident (stable keys; times in RFC 3339 UTC or null)."""
        opened, acked, resolved = self.opened_at, self.acknowledged_at, self.resolved_at

        def seconds(later: datetime | None) -> int | None:
            return int((later - opened).total_seconds()) if later is not None and opened is not None else None

        task = self.task
        return {
            "id": task.id,
            "title": task.title,
            "status": task.status,
            "state": self.state,
            "severity": self.severity,
            "priority": task.priority,
            "source": self.source,
            "alerts": self.alerts,
            "group": self.group,
            "opened_at": format_time(opened) if opened else None,
            "acknowledged_at": format_time(acked) if acked else None,
            "resolved_at": format_time(resolved) if resolved else None,
            "seconds_to_acknowledge": seconds(acked),
            "seconds_to_resolve": seconds(resolved),
            "assignees": list(task.assignees),
            "references": list(task.references),
            "documentation": list(task.documentation),
            "path": relpath(task.path) if relpath is not None and task.path is not None else None,
        }
