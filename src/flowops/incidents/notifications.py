"""Applying an Alertmanager notification to the backlog: one incident per alert group.

The group's identity is its ``groupKey`` (kept as the label ``alert-group:<hash>``).
Under the incidents lock:

- firing, no open incident of the group: one is opened (an ``opened`` entry at the
  earliest ``startsAt``, then one ``firing`` entry per alert); when an earlier incident
  of the group was resolved, the new one says which it follows;
- firing, an open incident: what changed is appended: alerts newly firing, alerts
  resolved, a raised severity; a notification that changes nothing (Alertmanager's
  ``repeat_interval``, or a retry) appends one ``repeat`` entry. Never a second incident;
- resolved, an open incident: the resolution is recorded at the latest ``endsAt`` and
  the incident continues as ``flowops incident resolve`` would (postmortem, or close);
- resolved, no open incident: nothing is written (``ignored``: it was resolved already,
  or its firing notification never arrived), as a pager does with an unknown key.

"Open" means neither resolved nor closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flowops.incidents.alertmanager import AlertmanagerAlert, Notification
from flowops.incidents.lifecycle import (
    NewIncident,
    Outcome,
    Resolution,
    _write,
    finish_resolution,
    incidents_lock,
    open_incident,
    utc_now,
)
from flowops.incidents.lookup import load_incidents
from flowops.incidents.model import (
    SEVERITY_PREFIX,
    Incident,
    IncidentSettings,
    group_label,
    normalize_severity,
    priority_for,
    worse,
)
from flowops.incidents.timeline import (
    ALERTMANAGER,
    Entry,
    fingerprint_note,
    format_time,
    new_entry,
)

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.project import Project

MAX_ALERT_ENTRIES = 20  # alerts listed one per entry; the rest share one entry


def apply_notification(project: Project, backlog: Backlog, notification: Notification, settings: IncidentSettings,
                       *, now: datetime | None = None) -> Outcome:
    """Open, update or resolve the incident of the notification's group; see the module docstring."""
    now = now or utc_now()
    label = group_label(notification.group_key)
    with incidents_lock(backlog):
        found = load_incidents(backlog, containing=label)
        group = [incident for incident in found.incidents if incident.group == label]
        current = next((i for i in reversed(group) if i.state not in ("resolved", "closed")), None)
        if notification.firing:
            if current is None:
                outcome = _open(project, backlog, notification, label, group[-1] if group else None, now)
            else:
                outcome = _update(backlog, current, notification, now)
        elif current is None:
            latest = group[-1] if group else None
            why = (f"{latest.id}, the latest incident of this group, is {latest.state} already" if latest
                   else "no incident was opened for this group (its firing notification never arrived)")
            outcome = Outcome("ignored", latest, notes=[f"resolved notification ignored: {why}"])
        else:
            outcome = _resolve(project, backlog, current, notification, settings, now)
    outcome.notes = found.warnings + outcome.notes
    return outcome


def _open(project: Project, backlog: Backlog, notification: Notification, label: str, previous: Incident | None,
          now: datetime) -> Outcome:
    firing = notification.firing
    names = notification.alert_names
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    summary = notification.annotation("summary")
    title = f"{shown}: {summary}" if summary else f"{shown} firing {notification.group_text()}"
    severity = notification.severity
    opened_at = min(alert.starts_at for alert in firing)
    count = f"{len(firing)} alert{'s' if len(firing) != 1 else ''} firing"
    opened_text = f"{count} in group {notification.group_text()}" + (f", severity {severity}" if severity else "")
    if notification.receiver:
        opened_text += f" (receiver {notification.receiver})"
    description = _description(notification, previous)
    new = NewIncident(
        title=title,
        by=ALERTMANAGER,
        severity=severity,
        alerts=names,
        description=description,
        extra_labels=[label],
        entries=_alert_entries(firing, "firing"),
        opened_at=opened_at,
        opened_text=opened_text,
    )
    outcome = open_incident(project, backlog, new, now=now)
    kind, task_id, data = outcome.events[0]
    data.update({"group_key": notification.group_key, "group": label, "receiver": notification.receiver or None,
                 "firing": len(firing), "follows": previous.id if previous else None})
    return outcome


def _description(notification: Notification, previous: Incident | None) -> str:
    lines = [f"Opened from an Alertmanager notification for the group `{_code(notification.group_text())}`"
             + (f" (receiver `{_code(notification.receiver)}`)." if notification.receiver else ".")]
    # A summary of one alert stands for the group; a description usually names one pod or host.
    for name, common_only in (("summary", False), ("description", True)):
        value = notification.annotation(name, common_only=common_only)
        if value:
            lines.append(f"{name.capitalize()}: {' '.join(value.split())}")
    alerts = ["Alerts:"]
    for alert in notification.firing[:MAX_ALERT_ENTRIES]:
        link = f" ([graph]({alert.generator_url}))" if alert.generator_url else ""
        alerts.append(f"- `{_code(alert.describe())}` since {format_time(alert.starts_at)}{link}")
    if len(notification.firing) > MAX_ALERT_ENTRIES:
        alerts.append(f"- … and {len(notification.firing) - MAX_ALERT_ENTRIES} more")
    lines.append("\n".join(alerts))
    urls = sorted({alert.annotations["runbook_url"] for alert in notification.alerts if alert.annotations.get("runbook_url")})
    if urls:
        lines.append("Runbook URL from the alert: " + ", ".join(urls))
    if notification.external_url:
        lines.append(f"Alertmanager: {notification.external_url}")
    if notification.truncated_alerts:
        lines.append(f"Alertmanager left {notification.truncated_alerts} alerts out of the notification (max_alerts).")
    if previous is not None:
        lines.append(f"Follows {previous.id} of the same alert group ({previous.state}).")
    return "\n\n".join(lines)


def _alert_entries(alerts: list[AlertmanagerAlert], kind: str) -> list[Entry]:
    entries = []
    for alert in alerts[:MAX_ALERT_ENTRIES]:
        if kind == "firing":
            text = f"{alert.describe()} firing since {format_time(alert.starts_at)} {fingerprint_note([alert.fingerprint])}"
            at = alert.starts_at
        else:
            at = alert.ends_at or utc_now()
            text = f"{alert.describe()} resolved {fingerprint_note([alert.fingerprint])}"
        entries.append(new_entry(at, kind, text, ALERTMANAGER))
    rest = alerts[MAX_ALERT_ENTRIES:]
    if rest:
        at = min(a.starts_at for a in rest) if kind == "firing" else max((a.ends_at or utc_now()) for a in rest)
        verb = "firing" if kind == "firing" else "resolved"
        entries.append(new_entry(at, kind, f"{len(rest)} more alerts {verb} {fingerprint_note([a.fingerprint for a in rest])}",
                                 ALERTMANAGER))
    return entries


def _update(backlog: Backlog, incident: Incident, notification: Notification, now: datetime) -> Outcome:
    known = incident.alert_states()
    started = [a for a in notification.firing if known.get(a.fingerprint) != "firing"]
    stopped = [a for a in notification.resolved if known.get(a.fingerprint) == "firing"]
    entries = _alert_entries(started, "firing") + _alert_entries(stopped, "alert-resolved")
    severity = normalize_severity(notification.severity)
    raised = None
    if severity and severity != incident.severity and worse(incident.severity, severity) == severity:
        raised = severity
        entries.append(new_entry(now, "severity", f"severity raised from {incident.severity or 'unset'} to {severity}",
                                 ALERTMANAGER))
    if not entries:
        count = len(notification.firing)
        entries.append(new_entry(now, "repeat", f"notification repeated: {count} alert{'s' if count != 1 else ''} still firing",
                                 ALERTMANAGER))

    def mutate(task: Any) -> None:
        if raised:
            task.labels = [label for label in task.labels if not label.strip().lower().startswith(SEVERITY_PREFIX)]
            task.labels.append(SEVERITY_PREFIX + raised)
            task.priority = priority_for(raised)

    task = _write(backlog, incident.id, entries, mutate)
    updated = Incident(task, [*incident.entries, *entries], backlog.config.done_status)
    data = {
        "group_key": notification.group_key,
        "entries": [entry.kind for entry in entries],
        "firing": len(notification.firing),
        "started": [a.fingerprint for a in started],
        "resolved": [a.fingerprint for a in stopped],
        "severity": updated.severity,
    }
    action = "repeat" if entries[-1].kind == "repeat" else "updated"
    return Outcome(action, updated, entries, [("incident.updated", task.id, data)])


def _resolve(project: Project, backlog: Backlog, incident: Incident, notification: Notification, settings: IncidentSettings,
             now: datetime) -> Outcome:
    ends = [alert.ends_at for alert in notification.alerts if alert.ends_at is not None]
    at = max(ends) if ends else now
    opened = incident.opened_at
    if opened is not None and at < opened:
        at = now  # a clock skewed between Prometheus and Alertmanager must not make a negative duration
    count = len(notification.alerts)
    summary = ((f"Alertmanager: all {count} alerts resolved " if count != 1 else "Alertmanager: the alert resolved ")
               + fingerprint_note([a.fingerprint for a in notification.alerts][:MAX_ALERT_ENTRIES]))
    resolution = Resolution(by=ALERTMANAGER, at=at, summary=summary)
    outcome = finish_resolution(project, backlog, incident, resolution, settings, now=now)
    for kind, _task_id, data in outcome.events:
        if kind == "incident.resolved":
            data["group_key"] = notification.group_key
    return outcome


def _code(text: str) -> str:
    return text.replace("`", "'")
