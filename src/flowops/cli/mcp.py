"""``flowops mcp``: the MCP server for coding agents, on stdio (the optional extra flowops[mcp])."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from flowops.errors import UsageError

INSTALL = "pip install 'flowops[mcp]'"
# The 2.x API (low-level Server with on_* handlers, mcp_types); 1.x differs.
REQUIRED_MAJOR = 2


@click.command("mcp")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="The project to serve (default: the project of the current folder).")
def mcp_command(root: Path | None) -> None:
    """Run the MCP server on stdio: flowops' commands as typed tools for coding agents.

    Tools (task_create, task_edit, operate, ac_check, ...) run the command of the same
    name with --json and return its document; a refused call is a tool error with the
    exit code's kind (usage, criteria, blocked, failure), the message and the hint.
    Writes go through the same store, locks, gates and events as here; events' source
    ends in /mcp. Prompts flow-operate and flow-status are the slash commands' text.
    Paths in tool arguments are relative to the project root.

    Agents start it themselves: see `flowops commands install --mcp`. Needs the extra:
    pip install 'flowops[mcp]'.
    """
    _require_sdk()
    from flowops.project import find_project

    if root is not None:
        if not root.is_dir():
            raise UsageError(f"--root {root}: no such folder")
        os.chdir(root)
    # Tool arguments name paths relative to the project root, wherever the agent started us.
    project = find_project()
    os.chdir(project.root)
    if not project.backlog_dir.is_dir():
        click.echo(f"warning: no backlog in {project.root} yet: tools answer 'no backlog found' until "
                   "`flowops init` runs there", err=True)
    if sys.stdin.isatty():
        click.echo("note: a coding agent starts this server and talks to it over stdin/stdout; "
                   "see `flowops commands install --mcp`. Ctrl-C stops it.", err=True)
    from flowops.mcp_server.server import serve

    with contextlib.suppress(KeyboardInterrupt):  # ^C in a terminal: stop quietly
        serve()


def _require_sdk() -> None:
    """Exit 2 with the install command when the mcp SDK (2.x) is missing."""
    import importlib.util

    if importlib.util.find_spec("mcp") is None or importlib.util.find_spec("mcp_types") is None:
        raise UsageError("the MCP server needs the mcp SDK, which is not installed", hint=f"install it: {INSTALL}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("mcp")
    except PackageNotFoundError:
        return
    major = installed.split(".", 1)[0]
    if not major.isdigit() or int(major) < REQUIRED_MAJOR:
        raise UsageError(f"the MCP server needs the mcp SDK 2.x; {installed} is installed",
                         hint=f"upgrade it: {INSTALL.replace('pip install', 'pip install -U')}")
