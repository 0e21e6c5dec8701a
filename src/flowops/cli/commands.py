"""``flowops commands``: slash commands for coding agents (list the sources, install them)."""

from __future__ import annotations

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import console, output_options, print_json, resolve_mode, warn, write
from flowops.render.agents import AGENTS

AGENT_CHOICES = [*AGENTS, "all"]


@click.group("commands", cls=HelpGroup)
def commands_group() -> None:
    """Slash commands (/flow:operate, /flow:status) for coding agents."""


@commands_group.command("list")
@output_options
def list_command(plain: bool, as_json: bool) -> None:
    """Show the shipped command sources and where each agent gets them."""
    from flowops.render.sources import discover_sources

    mode = resolve_mode(plain, as_json)
    sources = discover_sources()
    rows = [
        {
            "name": source.name,
            "command": source.slash,
            "source": f"commands/{source.file}",
            "description": source.description,
            "argument_hint": source.argument_hint,
            "includes": list(source.includes),
            "agents": {name: agent.relpath(source) for name, agent in AGENTS.items()},
        }
        for source in sources
    ]
    if mode == "json":
        print_json({"commands": rows})
        return
    if mode == "rich":
        from rich.markup import escape
        from rich.table import Table

        table = Table("command")
        table.add_column("source", overflow="fold")
        table.add_column("description")
        for source in sources:
            table.add_row(escape(source.slash), escape(f"commands/{source.file}"), escape(source.description))
        console().print(table)
        return
    lines = []
    for row in rows:
        lines.append(f"{row['command']}  {row['source']}")
        lines.append(f"  {row['description']}")
        if row["argument_hint"]:
            lines.append(f"  arguments: {row['argument_hint']}")
        if row["includes"]:
            lines.append(f"  includes: {', '.join(row['includes'])}")
    write("\n".join(lines) + "\n" if lines else "")


@commands_group.command("install")
@click.option(
    "--agent",
    "agents",
    multiple=True,
    type=click.Choice(AGENT_CHOICES),
    help="Agent to install for (repeatable; default: claude; claude-plugin writes the Claude Code plugin 'flow'; "
         "'all' for every format).",
)
@click.option("--mcp", "mcp", is_flag=True,
              help="Also register the MCP server (`flowops mcp`) in each agent's project config: .mcp.json (claude), "
                   ".gemini/settings.json, .cursor/mcp.json, .vscode/mcp.json (copilot), merged with what is there.")
@click.option("--force", is_flag=True,
              help="Overwrite command files (and a flowops MCP entry) that differ from the rendered ones.")
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@output_options
def install_command(agents: tuple[str, ...], mcp: bool, force: bool, dry_run: bool, plain: bool, as_json: bool) -> None:
    """Write the slash commands in each agent's format under the project root.

    Existing files that differ are kept unless --force. Each file is reported as
    written, would-write (--dry-run), unchanged or kept. With --mcp, the agent's MCP
    configuration gets a "flowops" server entry; other servers and settings are left as
    they are, and a file that is not valid JSON is an error (exit 2), never overwritten.
    """
    from flowops.project import find_project
    from flowops.render.install import install_commands

    mode = resolve_mode(plain, as_json)
    chosen = list(AGENTS) if "all" in agents else list(agents)
    project = find_project()
    report = install_commands(project.root, chosen, force=force, dry_run=dry_run, mcp=mcp)
    counts = report.counts()
    if mode == "json":
        print_json(report.to_dict())
    elif mode == "rich":
        from rich.markup import escape
        from rich.table import Table

        table = Table("status", "agent", "command")
        table.add_column("file", overflow="fold")
        for entry in report.entries:
            table.add_row(*(escape(value) for value in (entry.status, entry.agent, entry.command, entry.path)))
        console().print(table)
    else:
        width = max((len(entry.status) for entry in report.entries), default=0)
        lines = [f"{entry.status:<{width}}  {entry.path}" for entry in report.entries]
        summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        write("\n".join([*lines, summary or "nothing to install"]) + "\n")
    if counts["kept"]:
        warn(f"{counts['kept']} existing file(s) differ and were kept; rerun with --force to overwrite them")
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
