"""Terminal (rich) renderings of tasks; only used when stdout is a terminal."""

from __future__ import annotations

from flowops.backlog.views import status_icon
from flowops.cli.output import console, terminal_safe


def print_task_table(tasks, statuses) -> None:
    from rich.markup import escape
    from rich.table import Table

    if not tasks:
        console().print("No tasks found.")
        return
    table = Table(show_lines=False, header_style="bold")
    for column in ("ID", "Title", "Status", "Priority", "AC", "Labels"):
        table.add_column(column, overflow="fold")
    order = {s.lower(): i for i, s in enumerate(statuses)}
    for task in sorted(tasks, key=lambda t: order.get(t.status.lower(), len(order))):
        ac = f"{task.ac_completed}/{len(task.acceptance_criteria)}" if task.acceptance_criteria else ""
        # Task text is the user's: "[/]" in a title is text, not rich markup.
        table.add_row(escape(task.id), escape(task.title), escape(f"{status_icon(task.status)} {task.status}"),
                      escape(task.priority or ""), ac, escape(", ".join(task.labels)))
    console().print(table)


def print_task(task, backlog, project) -> None:
    from rich.markdown import Markdown
    from rich.markup import escape
    from rich.panel import Panel

    # Every piece of task text is escaped: only the markup written here is markup.
    lines = [f"[bold]{escape(task.id)}[/bold] {escape(task.title)}", escape(f"Status: {status_icon(task.status)} {task.status}")]
    if task.priority:
        lines.append(escape(f"Priority: {task.priority}"))
    if task.assignees:
        lines.append(escape("Assignee: " + ", ".join(task.assignees)))
    if task.labels:
        lines.append(escape("Labels: " + ", ".join(task.labels)))
    if task.parent_task_id:
        lines.append(escape(f"Parent: {task.parent_task_id}"))
    if task.path:
        lines.append(escape(f"File: {project.relpath(task.path)}"))
    out = console()
    out.print(Panel("\n".join(lines), expand=False))
    if task.description:
        out.print(Markdown(terminal_safe(task.description)))
    if task.acceptance_criteria:
        out.print("[bold]Acceptance criteria[/bold]")
        for n, criterion in enumerate(task.acceptance_criteria, 1):
            mark = "[green]x[/green]" if criterion.checked else " "
            out.print(f" \\[{mark}] #{n} {escape(criterion.text)}", highlight=False)
    for title, value in (("Implementation plan", task.implementation_plan), ("Implementation notes", task.implementation_notes),
                         ("Final summary", task.final_summary)):
        if value:
            out.print(f"[bold]{title}[/bold]")
            out.print(Markdown(terminal_safe(value)))
    subtasks = backlog.subtasks(task)
    if subtasks:
        out.print("[bold]Subtasks[/bold]")
        for sub in subtasks:
            out.print(escape(f" {status_icon(sub.status)} {sub.id} {sub.title} ({sub.status})"))
