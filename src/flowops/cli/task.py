"""``flowops task ...``: create, list, view, edit and archive tasks (flags follow Backlog.md)."""

from __future__ import annotations

import re

import click

from flowops.cli.common import open_backlog, split_values, workflow_states
from flowops.cli.emitting import cli_emitter
from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import UsageError

PRIORITIES = ("high", "medium", "low")
# Checked by click (exit 2 naming the option): "HIGH" is accepted as "high".
PRIORITY = click.Choice(PRIORITIES, case_sensitive=False)
# A real calendar date: 2026-13-45 and 2026-02-30 are refused, not written into the task.
DUE_DATE = click.DateTime(formats=["%Y-%m-%d"])


# A task id as typed: 12, 12.1, TASK-12, task-12.1, or another prefix (BACK-3).
_TASK_ID_WORD = re.compile(r"(?:[A-Za-z][A-Za-z0-9_]*-)?\d+(?:\.\d+)*")


class TaskGroup(HelpGroup):
    """``flowops task 12`` is ``flowops task view 12``, as with Backlog.md.

    A first word that is neither a subcommand nor a task id is a mistyped subcommand
    (``task veiw 1``, ``task lst``): it is named as such, with a suggestion.
    """

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            if _TASK_ID_WORD.fullmatch(args[0].strip()):
                return "view", self.commands["view"], args
            from flowops.cli.suggest import no_such_command

            raise no_such_command(ctx, args[0], self.commands)
        return super().resolve_command(ctx, args)


@click.group("task", cls=TaskGroup)
def task_group() -> None:
    """Create, list, view, edit and archive tasks in the Backlog.md backlog."""


def _priority(value: str | None) -> str | None:
    return value.lower() if value else None


# -- create -----------------------------------------------------------------------------


@task_group.command("create")
@click.argument("title")
@click.option("-d", "--description", "--desc", "description", help="Task description (markdown).")
@click.option("--ac", "acceptance_criteria", multiple=True, help="An acceptance criterion (repeatable).")
@click.option("--acceptance-criteria", "acceptance_criteria_long", multiple=True, hidden=True)
@click.option("--dod", "definition_of_done", multiple=True, help="A Definition of Done item (repeatable).")
@click.option("-a", "--assignee", "assignees", multiple=True, help="Assignee, e.g. @sara (repeatable or comma-separated).")
@click.option("-l", "--labels", "labels", multiple=True, help="Labels (comma-separated or repeatable).")
@click.option("--priority", type=PRIORITY, help="Priority.")
@click.option("-s", "--status", help="Status (one of config.yml's statuses).")
@click.option("-p", "--parent", help="Create as a subtask of this task.")
@click.option("--dep", "--depends-on", "dependencies", multiple=True, help="A task this one depends on (repeatable).")
@click.option("--ref", "references", multiple=True, help="A reference URL or path (repeatable).")
@click.option("--doc", "documentation", multiple=True, help="A documentation URL or path (repeatable).")
@click.option("--type", "task_type", help="Task type (e.g. bug, feature).")
@click.option("--due-date", "--due", "due_date", type=DUE_DATE, metavar="YYYY-MM-DD", help="Due date.")
@click.option("--plan", help="Implementation plan.")
@click.option("--notes", help="Implementation notes.")
@click.option("--final-summary", help="Final summary.")
@click.option("--draft", is_flag=True, help="Create a draft (backlog/drafts/) instead of a task.")
@output_options
@click.pass_context
def create_command(ctx, title, description, acceptance_criteria, acceptance_criteria_long, definition_of_done, assignees,
                   labels, priority, status, parent, dependencies, references, documentation, task_type, due_date, plan,
                   notes, final_summary, draft, plain, as_json):
    """Create a task (or a draft) and print where it was written."""
    from flowops.backlog.store import NewTask
    from flowops.tasks import create_task

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    new = NewTask(
        title=title,
        description=description or "",
        status=status,
        assignees=split_values(assignees) or _default_assignees(project, backlog),
        reporter=backlog.config.default_reporter,
        labels=split_values(labels),
        priority=_priority(priority),
        type=task_type,
        parent=parent,
        dependencies=split_values(dependencies),
        references=list(references),
        documentation=list(documentation),
        acceptance_criteria=list(acceptance_criteria) + list(acceptance_criteria_long),
        definition_of_done=list(definition_of_done) or list(backlog.config.definition_of_done or []),
        implementation_plan=plan,
        implementation_notes=notes,
        final_summary=final_summary,
        due_date=_due_date(due_date),
        draft=draft,
    )
    task = create_task(backlog, new, emit=cli_emitter(ctx, project))
    if mode == "json":
        _print_view_json(project, backlog, task)
    elif mode == "plain":
        write(_plain_view(project, backlog, task))
    else:
        kind = "draft" if draft else "task"
        write(f"Created {kind} {task.id}\nFile: {task.path}\n")


def _default_assignees(project, backlog) -> list[str]:
    """Assignees when -a is not given: flowops' default_assignee, else backlog/config.yml's."""
    configured = project.config.get("default_assignee")
    if configured:
        return [configured]
    return list(backlog.config.default_assignee or [])


def _due_date(value) -> str | None:
    """The date click parsed (a datetime), as Backlog.md writes it: YYYY-MM-DD."""
    return value.date().isoformat() if value is not None else None


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


# -- edit -------------------------------------------------------------------------------


@task_group.command("edit")
@click.argument("task_id")
@click.option("-t", "--title", help="New title (the file is renamed to match).")
@click.option("-d", "--description", "--desc", "description", help="Replace the description.")
@click.option("-s", "--status", help="New status.")
@click.option("-a", "--assignee", "assignees", multiple=True, help="Replace the assignees (repeatable or comma-separated).")
@click.option("-l", "--label", "labels", multiple=True, help="Replace all labels (comma-separated or repeatable).")
@click.option("--add-label", "add_labels", multiple=True, help="Add labels, keeping the others.")
@click.option("--remove-label", "remove_labels", multiple=True, help="Remove labels, keeping the others.")
@click.option("--priority", type=PRIORITY, help="New priority.")
@click.option("--type", "task_type", help="Task type.")
@click.option("--due-date", "--due", "due_date", type=DUE_DATE, metavar="YYYY-MM-DD", help="New due date.")
@click.option("--ordinal", type=float, help="Custom ordering value.")
@click.option("--ac", "add_ac", multiple=True, help="Add an acceptance criterion (repeatable).")
@click.option("--check-ac", "check_ac", multiple=True, type=int, help="Check criterion N (repeatable).")
@click.option("--uncheck-ac", "uncheck_ac", multiple=True, type=int, help="Uncheck criterion N (repeatable).")
@click.option("--remove-ac", "remove_ac", multiple=True, type=int, help="Remove criterion N (repeatable).")
@click.option("--dod", "add_dod", multiple=True, help="Add a Definition of Done item (repeatable).")
@click.option("--check-dod", "check_dod", multiple=True, type=int, help="Check Definition of Done item N.")
@click.option("--uncheck-dod", "uncheck_dod", multiple=True, type=int, help="Uncheck Definition of Done item N.")
@click.option("--remove-dod", "remove_dod", multiple=True, type=int, help="Remove Definition of Done item N.")
@click.option("--plan", help="Replace the implementation plan.")
@click.option("--notes", help="Replace the implementation notes.")
@click.option("--append-notes", "append_notes", multiple=True, help="Append to the implementation notes (repeatable).")
@click.option("--final-summary", help="Replace the final summary.")
@click.option("--append-final-summary", multiple=True, help="Append to the final summary.")
@click.option("--comment", help="Append a comment.")
@click.option("--comment-author", help="Author of the appended comment.")
@click.option("--dep", "--depends-on", "dependencies", multiple=True, help="Replace the dependencies (\"\" clears them).")
@click.option("--force", is_flag=True, help="Allow Done with unchecked criteria (recorded in the audit log).")
@output_options
@click.pass_context
def edit_command(ctx, task_id, title, description, status, assignees, labels, add_labels, remove_labels, priority,
                 task_type, due_date, ordinal, add_ac, check_ac, uncheck_ac, remove_ac, add_dod, check_dod, uncheck_dod,
                 remove_dod, plan, notes, append_notes, final_summary, append_final_summary, comment, comment_author,
                 dependencies, force, plain, as_json):
    """Change a task; only what is asked changes (plus updated_date)."""
    from flowops.backlog.edit import TaskEdit
    from flowops.backlog.store import now_stamp
    from flowops.tasks import edit_task

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    if labels and (add_labels or remove_labels):
        raise UsageError("--label replaces all labels; it cannot be combined with --add-label/--remove-label")
    edit = TaskEdit(
        title=title,
        description=description,
        status=backlog.canonical_status(status) if status else None,
        assignees=split_values(assignees) if assignees else None,
        labels=split_values(labels) if labels else None,
        add_labels=split_values(add_labels),
        remove_labels=split_values(remove_labels),
        priority=_priority(priority),
        type=task_type,
        due_date=_due_date(due_date) if due_date else None,
        ordinal=ordinal,
        add_ac=list(add_ac),
        check_ac=list(check_ac),
        uncheck_ac=list(uncheck_ac),
        remove_ac=list(remove_ac),
        add_dod=list(add_dod),
        check_dod=list(check_dod),
        uncheck_dod=list(uncheck_dod),
        remove_dod=list(remove_dod),
        plan=plan,
        notes=notes,
        append_notes=list(append_notes),
        final_summary=final_summary,
        append_final_summary=list(append_final_summary),
        comment=comment,
        comment_author=comment_author,
        comment_created=now_stamp() if comment else None,
        dependencies=[backlog.get(d, ("tasks", "completed", "drafts", "archive")).id for d in split_values(dependencies)]
        if dependencies
        else None,
    )
    if edit.is_empty():
        raise UsageError("nothing to change", hint=f"see `flowops task edit --help`; e.g. flowops task edit {task_id} --check-ac 1")
    update = edit_task(backlog, task_id, edit, force=force, emit=cli_emitter(ctx, project))
    task = update.after
    if mode == "json":
        _print_view_json(project, backlog, task)
    elif mode == "plain":
        write(_plain_view(project, backlog, task))
    else:
        write(f"Updated task {task.id}\n" if update.changed else f"No change to task {task.id}\n")


# -- archive ----------------------------------------------------------------------------


@task_group.command("archive")
@click.argument("task_id")
@output_options
@click.pass_context
def archive_command(ctx, task_id, plain, as_json):
    """Move a task to backlog/archive/tasks/ (its id is never handed out again)."""
    from flowops.tasks import archive_task

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    task = archive_task(backlog, task_id, emit=cli_emitter(ctx, project))
    if mode == "json":
        path = project.relpath(task.path) if task.path is not None else None
        print_json({"schemaVersion": 1, "kind": "task-archive", "task": {"id": task.id, "path": path}})
    else:
        write(f"Archived task {task.id}\n")
