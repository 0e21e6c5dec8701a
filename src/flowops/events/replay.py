"""``flowops hooks replay``: deliver the outbox again, with the same event ids.

Each entry goes to the hook of the same name in the current hooks.yaml (so a fixed URL
or secret is used); entries that get through are removed, the others keep their place
with the attempt count and last error updated.

Only events the audit log recorded are sent, and as the log recorded them: an outbox
entry names an event, it does not define one. An entry whose event id is not in the log
(written by hand, or brought by a clone into an old in-tree outbox) is kept and reported,
never signed and sent; an entry whose copy of the event was edited sends the logged one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowops.events import audit, outbox
from flowops.events.bus import deliver, delivery_record
from flowops.events.handlers import DeliveryResult, handler_types
from flowops.events.hooksfile import load_hooks
from flowops.events.model import Event

if TYPE_CHECKING:
    from collections.abc import Callable

    from flowops.project import Project


@dataclass
class ReplayReport:
    delivered: list[DeliveryResult] = field(default_factory=list)
    failed: list[DeliveryResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    remaining: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def to_dict(self) -> dict:
        return {
            "delivered": [r.to_dict() for r in self.delivered],
            "failed": [r.to_dict() for r in self.failed],
            "remaining": self.remaining,
            "warnings": list(self.warnings),
        }


def replay(project: Project, *, handler: str | None = None, sleep: Callable[[float], None] | None = None) -> ReplayReport:
    """Deliver the outbox again (same event ids); remove each entry that gets through."""
    report = ReplayReport()
    queued = [entry for entry in outbox.entries(project) if handler is None or entry.handler == handler]
    if not queued:
        report.remaining = len(outbox.entries(project))
        return report
    types = handler_types(project)
    hooks_file = load_hooks(project, types)
    report.warnings.extend(str(p) for p in hooks_file.warnings)
    logged = _logged_events(project, {entry.key[0] for entry in queued})
    done: list[tuple[str, str]] = []
    failed: dict[tuple[str, str], tuple[int, str | None]] = {}
    for entry in queued:
        hook = hooks_file.get(entry.handler)
        if hook is None:
            report.warnings.append(f"handler '{entry.handler}' is not in hooks.yaml any more; its queued event {entry.key[0]} was kept")
            continue
        recorded = logged.get(entry.key[0])
        if recorded is None:
            report.warnings.append(
                f"outbox line {entry.line}: event {entry.key[0] or '(no id)'} is not in the audit log, so it is not sent; "
                "kept: remove the line if nobody here queued it"
            )
            continue
        try:
            event = Event.from_dict(recorded)
        except ValueError as exc:
            report.warnings.append(f"outbox line {entry.line}: {exc}; kept")
            continue
        result = deliver(project, hook, types[hook.type], event, sleep=sleep, secrets=hooks_file.secrets)
        audit.append(project, [delivery_record(event, result, replay=True)])
        if result.ok:
            done.append(entry.key)
            report.delivered.append(result)
        else:
            failed[entry.key] = (result.attempts, result.error)
            report.failed.append(result)
    outbox.settle(project, done, failed)
    report.remaining = len(outbox.entries(project))
    return report


def _logged_events(project: Project, wanted: set[str]) -> dict[str, dict]:
    """The events with ids in ``wanted``, as the audit log recorded them (``hooks test`` samples excluded)."""
    found: dict[str, dict] = {}
    for entry in audit.entries(project):
        record = entry.record
        if record is None or record.get("kind") != "event" or record.get("test"):
            continue
        event = record.get("event")
        if isinstance(event, dict) and event.get("id") in wanted:
            found[event["id"]] = event
    return found
