"""The emitter commands hand to the domain: events through the bus, problems on stderr.

Contract for commands: pass ``cli_emitter(ctx, project)`` as the ``emit`` of the domain
call, then print your own output as usual. The emitter prints only to stderr (warnings,
and one line per failed delivery). When a handler that had to succeed failed
(``fail_mode: stop``), or the event could not be delivered at all (a broken hooks.yaml),
it records that the command owes exit code 1; the root group raises
``flowops.errors.Reported(1)`` after the command returned, so your output is complete and
the change itself stays made. Nothing for the command to check.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from flowops.cli import owe_exit
from flowops.cli.output import say_err

if TYPE_CHECKING:
    from flowops.events.bus import EmitReport
    from flowops.events.emitter import BusEmitter, Undelivered
    from flowops.project import Project



def hooks_suppressed(ctx: click.Context) -> bool:
    """True with the global ``--no-hooks`` flag or ``FLOWOPS_NO_HOOKS`` set to a true value."""
    if (ctx.obj or {}).get("no_hooks"):
        return True
    return os.environ.get("FLOWOPS_NO_HOOKS", "").strip().lower() in {"1", "true", "yes", "on"}




def cli_emitter(ctx: click.Context, project: Project) -> BusEmitter:
    """A BusEmitter for ``project`` that reports on stderr and owes exit 1 when an event failed."""
    from flowops.events.emitter import BusEmitter

    def on_report(report: EmitReport) -> None:
        for warning in report.warnings:
            say_err(f"warning: {warning}")
        for result in report.failed:
            say_err(f"error: event {report.event.type}: handler {result.summary()}")
        if not report.ok:
            owe_exit(ctx, report.exit_code)

    def on_error(undelivered: Undelivered) -> None:
        first = str(undelivered.error).splitlines()[0]
        say_err(f"error: event {undelivered.type} was not delivered: {first}")
        owe_exit(ctx, 1)

    return BusEmitter(project, no_hooks=hooks_suppressed(ctx), on_report=on_report, on_error=on_error)
