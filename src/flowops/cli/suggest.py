"""'No such command' errors that suggest the command meant, for every group.

click suggests only among the commands a group has already loaded; flowops' root group
loads its commands lazily (start-up time), so it had none to offer, and `flowops task`
reads an unknown first word as a task id. Both ask here instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import click


def no_such_command(ctx: click.Context, name: str, known: Iterable[str]) -> click.UsageError:
    """The usage error (exit 2) for ``name``, with the closest of ``known`` when one is close."""
    matches = difflib.get_close_matches(name, sorted(set(known)), n=2, cutoff=0.6)
    message = f"No such command '{name}'."
    if len(matches) == 1:
        message += f" Did you mean '{matches[0]}'?"
    elif matches:
        message += " Did you mean one of: " + ", ".join(f"'{m}'" for m in matches) + "?"
    return click.UsageError(message, ctx)
