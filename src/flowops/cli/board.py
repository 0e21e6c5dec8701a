"""``flowops board``: a kanban of the statuses in config.yml."""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write


@click.command("board")
@output_options
def board_command(plain, as_json):
    """Show tasks as columns, one per status (rich in a terminal, text otherwise)."""
    from flowops.backlog.listing import sort_tasks

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    listing = backlog.load(("tasks",))
    for bad in listing.bad:
        warn(bad.problem(project.root))
    statuses = list(backlog.config.statuses)
    columns: dict[str, list] = {status: [] for status in statuses}
    for task in sort_tasks(listing.tasks, "priority"):
        match = backlog.config.canonical_status(task.status) or task.status or "No Status"
        columns.setdefault(match, []).append(task)
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "board", "columns": [
            {"status": status, "tasks": [{"id": t.id, "title": t.title, "priority": t.priority} for t in tasks]}
            for status, tasks in columns.items()]})
        return
    if mode in ("plain", "text"):
        out = []
        for status, tasks in columns.items():
            out.append(f"{status} ({len(tasks)}):")
            out.extend(f"  {t.id} - {t.title}" for t in tasks)
            out.append("")
        write("\n".join(out))
        return
    from rich.columns import Columns
    from rich.markup import escape
    from rich.panel import Panel

    from flowops.cli.output import console

    panels = []
    for status, tasks in columns.items():
        body = "\n".join(f"[bold]{escape(t.id)}[/bold] {escape(t.title)}"
                         + (f" [dim]({escape(t.priority)})[/dim]" if t.priority else "") for t in tasks)
        panels.append(Panel(body or "[dim]empty[/dim]", title=escape(f"{status} ({len(tasks)})"), width=36))
    console().print(Columns(panels))
