"""``flowops task create``, ``task edit`` and ``task archive``: the task commands that write.

Apart from ``flowops.cli.task`` (the group, list and view), which loads this module only
when one of these commands is run or listed: their ~55 options are ~1.5 ms of click
objects that a ``task view`` does not need.
"""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog, split_values
from flowops.cli.output import output_options, print_json, resolve_mode, write
from flowops.cli.task import PRIORITY, _plain_view, _print_view_json, _priority, task_group
from flowops.errors import UsageError

# A real calendar date: 2026-13-45 and 2026-02-30 are refused, not written into the task.
DUE_DATE = click.DateTime(formats=["%Y-%m-%d"])


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
    from flowops.cli.emitting import cli_emitter

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
    from flowops.cli.emitting import cli_emitter

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
    from flowops.cli.emitting import cli_emitter

    task = archive_task(backlog, task_id, emit=cli_emitter(ctx, project))
    if mode == "json":
        path = project.relpath(task.path) if task.path is not None else None
        print_json({"schemaVersion": 1, "kind": "task-archive", "task": {"id": task.id, "path": path}})
    else:
        write(f"Archived task {task.id}\n")
