"""How the domain reports events: one ``Emit`` signature, and the emitter that feeds the bus.

Every domain operation that changes something (task create/edit/archive, workflow moves,
``operate``, ``ac verify --update``, ``ac bind``, incidents) takes an ``emit`` and calls it
once per event after its write succeeded::

    emit("task.status_changed", task.id, {"from": "To Do", "to": "Done"})
    emit("deploy.completed", feature.id, data, spec_id="shop-v2", files=["k8s/app.yaml"])

``BusEmitter`` is the emitter everyone uses outside tests: it records each event in the
audit log and delivers it (``flowops.events.bus.emit``), and keeps what happened instead
of raising, because the change the event reports is already made: a broken hooks.yaml or
a failing handler must neither undo it nor hide the rest of the command's output. The
caller reads ``reports``/``errors`` afterwards (the CLI and the MCP server turn them into
stderr lines and an exit code; ``on_report``/``on_error`` let them say so as it happens).

A domain function given ``emit=None`` emits through a ``BusEmitter`` of its project, so a
library caller gets the same events as the command line; ``no_emit`` discards them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from flowops.errors import FlowopsError
    from flowops.events.bus import EmitReport
    from flowops.project import Project


class Emit(Protocol):
    """Record one event: its type, the task it is about (or None), its data, and for deploys the spec and files."""

    def __call__(self, type: str, task_id: str | None, data: Mapping[str, Any] | None = None, *,
                 spec_id: str | None = None, files: Sequence[str] = ()) -> None: ...


def no_emit(type: str, task_id: str | None, data: Mapping[str, Any] | None = None, *,
            spec_id: str | None = None, files: Sequence[str] = ()) -> None:
    """An ``Emit`` that discards every event (dry runs; tests that do not look at events)."""


@dataclass
class Undelivered:
    """An event the bus refused or could not deliver at all (bad data, a broken hooks.yaml)."""

    type: str
    task_id: str | None
    error: FlowopsError


@dataclass
class BusEmitter:
    """An ``Emit`` that sends each event through the event bus of ``project`` and keeps the outcome.

    ``no_hooks`` records events without delivering them (``--no-hooks``). ``on_report``
    sees each EmitReport and ``on_error`` each Undelivered as they happen.
    """

    project: Project
    no_hooks: bool = False
    on_report: Callable[[EmitReport], None] | None = None
    on_error: Callable[[Undelivered], None] | None = None
    reports: list[EmitReport] = field(default_factory=list)
    errors: list[Undelivered] = field(default_factory=list)

    def __call__(self, type: str, task_id: str | None, data: Mapping[str, Any] | None = None, *,
                 spec_id: str | None = None, files: Sequence[str] = ()) -> None:
        from flowops.errors import FlowopsError
        from flowops.events.bus import emit

        try:
            report = emit(self.project, type, task_id=task_id, spec_id=spec_id, files=list(files), data=data,
                          no_hooks=self.no_hooks)
        except FlowopsError as exc:
            undelivered = Undelivered(type, task_id, exc)
            self.errors.append(undelivered)
            if self.on_error is not None:
                self.on_error(undelivered)
            return
        self.reports.append(report)
        if self.on_report is not None:
            self.on_report(report)

    @property
    def ok(self) -> bool:
        """True when every event was recorded and every handler that had to succeed did."""
        return not self.errors and all(report.ok for report in self.reports)

    @property
    def exit_code(self) -> int:
        """0, or 1 when an event could not be delivered or a ``fail_mode: stop`` handler failed."""
        return 0 if self.ok else 1


def emitter_for(project: Project, emit: Emit | None) -> Emit:
    """``emit``, or when None the project's event bus (what a library caller gets by default)."""
    return emit if emit is not None else BusEmitter(project)
