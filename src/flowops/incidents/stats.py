"""The weekly incident review's numbers (pure computation over incidents already read).

Definitions (docs/incidents.md repeats them):

- an incident belongs to the period when it was opened in it (``since`` inclusive,
  ``until`` exclusive);
- time to acknowledge: from the opening to the first timeline entry a person made (an
  incident opened by hand is acknowledged when opened); incidents nobody acknowledged
  are counted apart, not as zero;
- time to resolve: from the opening to the recorded resolution; unresolved incidents
  are counted apart;
- median: the middle value (the mean of the two middle ones for an even count);
  p90: nearest rank, the smallest value that at least 90% of the values do not exceed;
- a postmortem is due for a resolved incident whose severity needs one and that was
  not waived; it is finished when its document passes the gate's checks;
- action items: the ``ops:action-item`` tasks of the period's incidents; open means not
  Done, overdue means open with a due date before today.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flowops.backlog.model import Task
from flowops.backlog.naming import id_parts
from flowops.incidents.model import Incident, IncidentSettings


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class Durations:
    """How long something took across incidents, in seconds."""

    values: list[float] = field(default_factory=list)
    missing: int = 0  # incidents where it has not happened (yet)

    def to_dict(self) -> dict:
        return {"count": len(self.values), "median_seconds": median(self.values), "p90_seconds": p90(self.values),
                "missing": self.missing}


@dataclass
class Stats:
    since: datetime | None
    until: datetime | None
    incidents: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    top_alerts: list[tuple[str, int]] = field(default_factory=list)
    acknowledge: Durations = field(default_factory=Durations)
    resolve: Durations = field(default_factory=Durations)
    postmortems_due: int = 0
    postmortems_finished: int = 0
    postmortems_waived: int = 0
    action_items: int = 0
    action_items_open: int = 0
    action_items_overdue: int = 0
    open_action_items: list[Task] = field(default_factory=list)

    def to_dict(self) -> dict:
        from flowops.incidents.timeline import format_time

        return {
            "since": format_time(self.since) if self.since else None,
            "until": format_time(self.until) if self.until else None,
            "incidents": self.incidents,
            "by_severity": dict(sorted(self.by_severity.items())),
            "by_state": dict(sorted(self.by_state.items())),
            "by_source": dict(sorted(self.by_source.items())),
            "top_alerts": [{"alert": alert, "incidents": count} for alert, count in self.top_alerts],
            "time_to_acknowledge": self.acknowledge.to_dict(),
            "time_to_resolve": self.resolve.to_dict(),
            "postmortems": {"due": self.postmortems_due, "finished": self.postmortems_finished,
                            "missing": self.postmortems_due - self.postmortems_finished, "waived": self.postmortems_waived},
            "action_items": {
                "total": self.action_items,
                "open": self.action_items_open,
                "overdue": self.action_items_overdue,
                "open_items": [{"id": t.id, "title": t.title, "parent": t.parent_task_id, "status": t.status,
                                "assignees": list(t.assignees), "due_date": t.due_date} for t in self.open_action_items],
            },
        }


def compute_stats(
    incidents: list[Incident],
    actions: list[Task],
    settings: IncidentSettings,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    today: date | None = None,
    done_status: str = "Done",
    postmortem_finished: Callable[[Incident], bool] = lambda _incident: False,
) -> Stats:
    """The numbers for the incidents opened in [since, until); see the module docstring.

    ``actions`` are the action-item tasks of the whole backlog (matched to incidents by
    parent); ``postmortem_finished(incident)`` says whether its postmortem passes the gate.
    """
    today = today or date.today()
    chosen = [i for i in incidents if _in_period(i.opened_at, since, until)]
    stats = Stats(since, until, incidents=len(chosen))
    stats.by_severity = dict(Counter(i.severity or "unset" for i in chosen))
    stats.by_state = dict(Counter(i.state for i in chosen))
    stats.by_source = dict(Counter(i.source for i in chosen))
    stats.top_alerts = Counter(alert for i in chosen for alert in i.alerts).most_common(5)
    for incident in chosen:
        _count_incident(stats, incident, settings, postmortem_finished)
    _count_actions(stats, actions, {i.id.upper() for i in chosen}, done_status.strip().lower(), today)
    # Soonest due first (the overdue ones lead), then the ones without a date, by id.
    stats.open_action_items.sort(key=lambda t: (t.due_date is None, t.due_date or "", id_parts(t.id) or ("", ())))
    return stats


def _count_incident(stats: Stats, incident: Incident, settings: IncidentSettings,
                    postmortem_finished: Callable[[Incident], bool]) -> None:
    opened = incident.opened_at
    for durations, moment in ((stats.acknowledge, incident.acknowledged_at), (stats.resolve, incident.resolved_at)):
        if moment is None or opened is None:
            durations.missing += 1
        else:
            durations.values.append(max(0.0, (moment - opened).total_seconds()))
    if incident.resolved_at is None:
        return
    if incident.waived is not None:
        stats.postmortems_waived += 1
    elif settings.needs_postmortem(incident.severity):
        stats.postmortems_due += 1
        stats.postmortems_finished += 1 if postmortem_finished(incident) else 0


def _count_actions(stats: Stats, actions: list[Task], ids: set[str], done: str, today: date) -> None:
    for task in actions:
        if (task.parent_task_id or "").upper() not in ids:
            continue
        stats.action_items += 1
        if task.folder == "completed" or task.status.strip().lower() == done:
            continue
        stats.action_items_open += 1
        stats.open_action_items.append(task)
        if task.due_date and task.due_date < today.isoformat():
            stats.action_items_overdue += 1


def _in_period(opened: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if opened is None:
        return since is None and until is None
    return (since is None or opened >= since) and (until is None or opened < until)

