"""The click group every flowops command group uses: help that lists commands in full.

click shortens each command's description in a group's --help to what fits on one line
and ends it with "..."; the rest of the sentence is lost ("Find duplicate ids, unreadable
files, dangling dependencies and broken..."). Here the first sentence is kept whole and
wrapped under itself instead.
"""

from __future__ import annotations

import click

# Long enough for any first sentence; click still stops at the end of the first sentence.
_WHOLE = 10_000


class HelpGroup(click.Group):
    """A click.Group whose --help lists each command's whole first sentence, wrapped."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            rows.append((name, command.get_short_help_str(limit=_WHOLE)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
