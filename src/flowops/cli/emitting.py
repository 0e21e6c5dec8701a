"""Emitting events from commands that change the store (task create, edit, archive, ...).

Contract for callers: call ``emit_from_cli`` after the write succeeded, then print your
own output as usual. This function prints only to stderr (warnings, and one line per
failed delivery). When a handler that had to succeed failed (``fail_mode: stop``), or
the event could not be delivered at all (a broken hooks.yaml), it asks for exit code 1
through ``request_exit``; the root group applies that after the command returned, so
your output is complete and the change itself stays made. Nothing for the caller to check.
"""

from __future__ import annotations

import os
from typing import Any

import click

from flowops.cli.output import say_err
from flowops.errors import FlowopsError

DEFERRED_EXIT = "flowops.deferred_exit"


def hooks_suppressed(ctx: click.Context) -> bool:
    """True with the global ``--no-hooks`` flag or ``FLOWOPS_NO_HOOKS`` set to a true value."""
    if (ctx.obj or {}).get("no_hooks"):
        return True
    return os.environ.get("FLOWOPS_NO_HOOKS", "").strip().lower() in {"1", "true", "yes", "on"}


def request_exit(ctx: click.Context, code: int) -> None:
    """Make the command exit with ``code`` once it has finished (the highest request wins)."""
    ctx.meta[DEFERRED_EXIT] = max(ctx.meta.get(DEFERRED_EXIT, 0), code)


def emit_from_cli(ctx: click.Context, project: Any, type: str, **kwargs: Any):
    """Emit ``type`` for a store change; return the EmitReport, or None if it could not be emitted.

    ``kwargs`` are those of ``flowops.events.bus.emit`` (task_id, spec_id, files, data,
    strict); ``no_hooks`` comes from the command line unless given.
    """
    from flowops.events.bus import emit

    kwargs.setdefault("no_hooks", hooks_suppressed(ctx))
    try:
        report = emit(project, type, **kwargs)
    except FlowopsError as exc:
        first = str(exc).splitlines()[0]
        say_err(f"error: event {type} was not delivered: {first}")
        request_exit(ctx, 1)
        return None
    for warning in report.warnings:
        say_err(f"warning: {warning}")
    for result in report.failed:
        say_err(f"error: event {type}: handler {result.summary()}")
    if not report.ok:
        request_exit(ctx, report.exit_code)
    return report
