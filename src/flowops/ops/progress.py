"""``flowops operate ID --status``: how far a feature's operations work has come.

Per area (cicd, kubernetes, observability, monitoring, runbook, ...): tasks Done out of
the tasks the completion gate requires, acceptance criteria checked out of all of
theirs, and items still without a task; then runbook documents filled in out of those
expected. Orphaned runbook tasks are not counted. Read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowops.ops.completion import Gap, find_gaps, is_done, required_tasks
from flowops.ops.operate import Survey, entry_dict
from flowops.ops.runbooks import runbook_fill

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@dataclass
class AreaProgress:
    area: str
    done: int = 0
    total: int = 0
    checked: int = 0
    criteria: int = 0
    missing: int = 0  # selected items or alerts without a task yet

    def to_dict(self) -> dict:
        return {"area": self.area, "tasks_done": self.done, "tasks_total": self.total, "ac_checked": self.checked,
                "ac_total": self.criteria, "missing": self.missing}


@dataclass
class Progress:
    survey: Survey
    done_status: str
    areas: list[AreaProgress]
    runbooks_filled: int
    runbooks_total: int
    unfilled: dict[str, list[str]] = field(default_factory=dict)  # doc id -> sections still skeleton
    gaps: list[Gap] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when ``--complete`` would pass its gate."""
        return not self.gaps

    def to_dict(self, relpath: Callable[[Path], str]) -> dict:
        found = self.survey
        tasks = []
        for entry in found.entries:
            row = entry_dict(entry, relpath)
            row["done"] = entry.task is not None and is_done(entry.task, self.done_status)
            row["orphaned"] = entry.action == "orphaned"
            tasks.append(row)
        return {
            "feature": {"id": found.feature.id, "title": found.feature.title, "state": found.state},
            "areas": [area.to_dict() for area in self.areas],
            "runbooks": {"filled": self.runbooks_filled, "total": self.runbooks_total, "unfilled": self.unfilled},
            "tasks": tasks,
            "ready": self.ready,
            "gaps": [gap.to_dict() for gap in self.gaps],
            "warnings": found.warnings,
        }


def progress(found: Survey, done_status: str) -> Progress:
    """Count what is finished, per area, from a survey (see ``flowops.ops.operate.survey``)."""
    areas: dict[str, AreaProgress] = {}

    def area(name: str) -> AreaProgress:
        return areas.setdefault(name, AreaProgress(name))

    for entry in found.entries:
        if entry.task is None and entry.action != "orphaned":
            area(entry.area).missing += 1
    for entry, task in required_tasks(found):
        counts = area(entry.area)
        counts.total += 1
        counts.done += is_done(task, done_status)
        counts.checked += task.ac_completed
        counts.criteria += len(task.acceptance_criteria)
    filled = total = 0
    unfilled: dict[str, list[str]] = {}
    for entry in found.entries:
        if not entry.is_runbook or entry.action == "orphaned":
            continue
        total += 1
        if entry.document is None:
            continue
        sections = runbook_fill(entry.document.body, entry.alert).skeleton_sections
        if sections:
            unfilled[entry.document.id] = sections
        else:
            filled += 1
    return Progress(found, done_status, list(areas.values()), filled, total, unfilled, find_gaps(found, done_status))
