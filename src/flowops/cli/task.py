"""``flowops task ...``: create, list, view, edit and archive tasks (flags follow Backlog.md); create, edit and archive in task_write."""

from __future__ import annotations

import re

import click

from flowops.cli.common import open_backlog, split_values, workflow_states
from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write

PRIORITIES = ("high", "medium", "low")
# Checked by click (exit 2 naming the option): "HIGH" is accepted as "high".
PRIORITY = click.Choice(PRIORITIES, case_sensitive=False)


# A task id as typed: 12, 12.1, TASK-12, task-12.1, or another prefix (BACK-3).
_TASK_ID_WORD = re.compile(r"(?:[A-Za-z][A-Za-z0-9_]*-)?\d+(?:\.\d+)*")


# The commands that write live in flowops.cli.task_write, imported when one of them is run
# or listed (their options are ~1.5 ms of click objects a view does not need).
WRITE_COMMANDS = ("create", "edit", "archive")


class TaskGroup(HelpGroup):
    """``flowops task 12`` is ``flowops task view 12``, as with Backlog.md.

    A first word that is neither a subcommand nor a task id is a mistyped subcommand
    (``task veiw 1``, ``task lst``): it is named as such, with a suggestion.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *WRITE_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in WRITE_COMMANDS and name not in self.commands:
            import flowops.cli.task_write  # noqa: F401  # registers them on this group
        return super().get_command(ctx, name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and self.get_command(ctx, args[0]) is None and not args[0].startswith("-"):
            if _TASK_ID_WORD.fullmatch(args[0].strip()):
                return "view", self.commands["view"], args
            from flowops.cli.suggest import no_such_command

            raise no_such_command(ctx, args[0], self.list_commands(ctx))
        return super().resolve_command(ctx, args)


@click.group("task", cls=TaskGroup)
def task_group() -> None:
    """Create, list, view, edit and archive tasks in the Backlog.md backlog."""


def _priority(value: str | None) -> str | None:
    return value.lower() if value else None


# -- list -------------------------------------------------------------------------------


@task_group.command("list")
@click.option("-s", "--status", "statuses", multiple=True, help="Only these statuses (repeatable or comma-separated).")
@click.option("-a", "--assignee", help="Only tasks assigned to this person.")
@click.option("-l", "--labels", "labels", multiple=True, help="Only tasks carrying every one of these labels.")
@click.option("--priority", type=PRIORITY, help="Only this priority.")
@click.option("-p", "--parent", help="Only subtasks of this task.")
@click.option("--search", "query", help="Only tasks matching this text.")
@click.option("--sort", type=click.Choice(["priority", "id", "updated", "ordinal"]), help="Sort order.")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most N tasks (after sorting).")
@click.option("--all", "include_all", is_flag=True, help="Include completed/ and drafts/ too.")
@output_options
def list_command(statuses, assignee, labels, priority, parent, query, sort, limit, include_all, plain, as_json):
    """List tasks grouped by status (Backlog.md's plain list format with --plain)."""
    from flowops.backlog.listing import Filters, fields_needed, select
    from flowops.backlog.rows import RowListing
    from flowops.backlog.store import Listing
    from flowops.errors import UsageError

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    folders = ("tasks", "completed", "drafts") if include_all else ("tasks",)
    flat = "priority_flat" if sort == "priority" else "grouped"
    # Plain text without a text query prints a few fields of each task: listing rows hold
    # just those, so no Task is built (JSON, rich and --search need the whole task).
    if mode in ("plain", "text") and not query and not parent:
        try:
            status_filter = [backlog.canonical_status(status) for status in split_values(statuses)]
        except UsageError:
            status_filter = None  # reported below, after the listing's warnings, as always
        if status_filter is not None:
            from flowops.backlog.views import plain_list

            filters = Filters(statuses=status_filter, assignee=assignee, labels=split_values(labels), priority=_priority(priority))
            statuses_order = backlog.config.statuses

            def render(rows_listing: RowListing) -> str:
                chosen = select(rows_listing.rows, filters, sort=sort or "priority", limit=limit, id_ordered=rows_listing.id_ordered)
                return plain_list(chosen, statuses_order, sort=flat)

            # The lines are made while the files are checked against the cache (render_rows);
            # the rows carry only the fields the filters and the lines read.
            rows_listing, text = backlog.render_rows(folders, render, fields=fields_needed(filters, sort or "priority"))
            _warn_listing(project, rows_listing)
            write(text)
            return
    listing: Listing | RowListing = (
        backlog.rows(folders) if mode in ("plain", "text") and not query else backlog.load(folders)
    )
    _warn_listing(project, listing)
    status_filter = []
    for status in split_values(statuses):
        status_filter.append(backlog.canonical_status(status))
    parent_id = backlog.get(parent).id if parent else None
    filters = Filters(
        statuses=status_filter,
        assignee=assignee,
        labels=split_values(labels),
        priority=_priority(priority),
        parent=parent_id,
        query=query,
    )
    if isinstance(listing, RowListing):
        from flowops.backlog.views import plain_list

        rows = select(listing.rows, filters, sort=sort or "priority", limit=limit, id_ordered=listing.id_ordered)
        write(plain_list(rows, backlog.config.statuses, sort=flat, parent=parent_id))
        return
    tasks = select(listing.tasks, filters, sort=sort or "priority", limit=limit)
    if mode == "json":
        _print_list_json(project, backlog, tasks, listing.tasks)
    elif mode in ("plain", "text"):
        from flowops.backlog.views import plain_list

        write(plain_list(tasks, backlog.config.statuses, sort=flat, parent=parent_id))
    else:
        from flowops.cli.rich_views import print_task_table

        print_task_table(tasks, backlog.config.statuses)


def _warn_listing(project, listing) -> None:
    for bad in listing.bad:
        warn(bad.problem(project.root))
    for task_id, paths in listing.duplicates.items():
        warn(f"{task_id} is claimed by {len(paths)} files: " + ", ".join(project.relpath(p) for p in paths) + " (run `flowops doctor`)")


def _print_list_json(project, backlog, tasks, everything) -> None:
    from flowops.backlog.views import is_ready, task_summary_json

    by_id = {t.id.upper(): t for t in everything}
    states = workflow_states(project, tasks)
    looked_in_completed = False

    def lookup(dep: str):
        nonlocal looked_in_completed
        if dep.upper() not in by_id and not looked_in_completed:
            # A dependency moved to completed/ (as `backlog cleanup` does) is finished, not missing.
            looked_in_completed = True
            for done in backlog.load(("completed",)).tasks:
                by_id.setdefault(done.id.upper(), done)
        return by_id.get(dep.upper())

    def ready(task) -> bool:
        return is_ready(task, lookup, backlog.config.done_status)

    print_json(
        {
            "schemaVersion": 1,
            "kind": "task-list",
            "tasks": [task_summary_json(t, is_ready=ready(t), workflow_state=states.get(t.id)) for t in tasks],
        }
    )


# -- view -------------------------------------------------------------------------------


@task_group.command("view")
@click.argument("task_id")
@output_options
def view_command(task_id, plain, as_json):
    """Show one task (`flowops task 12` does the same)."""
    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    task_file, duplicates = backlog.locate(task_id, ("tasks", "completed", "drafts", "archive"))
    task = task_file.parsed
    if duplicates:
        warn(f"{task.id} is also claimed by " + ", ".join(project.relpath(p) for p in duplicates) + " (run `flowops doctor`)")
    if mode == "json":
        _print_view_json(project, backlog, task)
    elif mode in ("plain", "text"):
        write(_plain_view(project, backlog, task))
    else:
        from flowops.cli.rich_views import print_task

        print_task(task, backlog, project)


def _resolver(backlog):
    cache: dict[str, object] = {}

    def resolve(task_id: str):
        key = task_id.upper()
        if key not in cache:
            from flowops.errors import FlowopsError

            try:
                cache[key] = backlog.get(task_id, ("tasks", "completed", "archive"))
            except FlowopsError:
                cache[key] = None
        return cache[key]

    return resolve


def _plain_view(project, backlog, task) -> str:
    from flowops.backlog.views import dependency_lines, plain_view

    resolve = _resolver(backlog)
    parent = resolve(task.parent_task_id) if task.parent_task_id else None
    return plain_view(
        task,
        file_path=str(task.path) if task.path else None,
        parent_title=getattr(parent, "title", None),
        subtasks=backlog.subtasks(task),
        dependency_lines=dependency_lines(task, resolve, backlog.config.done_status),
    )


def _print_view_json(project, backlog, task) -> None:
    from flowops.backlog.views import dependency_graph, relative, task_view_json

    graph, readiness = dependency_graph(task, _resolver(backlog), backlog.config.done_status)
    states = workflow_states(project, [task])
    print_json(
        {
            "schemaVersion": 1,
            "kind": "task-view",
            "task": task_view_json(
                task,
                path=relative(task.path, project.root),
                readiness=readiness,
                graph=graph,
                subtasks=backlog.subtasks(task),
                workflow_state=states.get(task.id),
            ),
        }
    )
