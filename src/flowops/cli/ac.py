"""``flowops ac``: acceptance criteria: which are still unchecked, which are too vague to check."""

from __future__ import annotations

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import EXIT_CRITERIA, UsageError


@click.group("ac", cls=HelpGroup)
def ac_group() -> None:
    """Acceptance criteria: check that they are met, lint that they are checkable."""


@ac_group.command("check")
@click.argument("task_id", metavar="ID")
@click.option("--recursive", "-r", is_flag=True, help="Include the task's subtasks, and theirs.")
@output_options
@click.pass_context
def check_command(ctx, task_id, recursive, plain, as_json):
    """List the unchecked acceptance criteria of a task by number: exit 0 when all are checked, 3 otherwise."""
    from flowops.acceptance.check import check_criteria
    from flowops.cli.common import open_backlog

    mode = resolve_mode(plain, as_json)
    _project, backlog = open_backlog()
    report = check_criteria(backlog, task_id, recursive=recursive)
    if mode == "json":
        print_json(report.to_dict())
    else:
        lines = []
        for task in report.tasks:
            open_items = task.unchecked
            if not task.criteria:
                lines.append(f"{task.task_id} {task.title}: no acceptance criteria")
            elif not open_items:
                lines.append(f"{task.task_id} {task.title}: all {len(task.criteria)} checked")
            else:
                lines.append(f"{task.task_id} {task.title}: {len(open_items)} of {len(task.criteria)} unchecked")
                lines += [f"  #{number} {text}" for number, text in open_items]
        with_open = sum(1 for task in report.tasks if task.unchecked)
        lines.append(f"{report.unchecked_count} unchecked criteria in {with_open} of {_tasks(len(report.tasks))}"
                     if with_open else f"all criteria checked ({_tasks(len(report.tasks))})")
        write("".join(line + "\n" for line in lines))
    if not report.all_checked:
        ctx.exit(EXIT_CRITERIA)


@ac_group.command("lint")
@click.argument("task_ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "lint_all", is_flag=True, help="Lint every task in backlog/tasks/.")
@output_options
@click.pass_context
def lint_command(ctx, task_ids, lint_all, plain, as_json):
    """Flag criteria a reviewer could not check: exit 3 when any is flagged, 0 otherwise.

    Each finding names the task, the criterion number, the rule and how to fix it.
    Built-in rules: no-measurable-element and vague-predicate; plugins add rules
    through lint_criterion.
    """
    from flowops.acceptance.check import lint_tasks
    from flowops.cli.common import open_backlog
    from flowops.plugins import get_plugins

    mode = resolve_mode(plain, as_json)
    if lint_all and task_ids:
        raise UsageError("give task ids or --all, not both")
    if not lint_all and not task_ids:
        raise UsageError("nothing to lint", hint="name tasks (flowops ac lint 12 13) or pass --all")
    project, backlog = open_backlog()
    if lint_all:
        listing = backlog.load(("tasks",))
        for bad in listing.bad:
            warn(bad.problem(project.root))
        tasks = listing.tasks
    else:
        tasks = [backlog.get(task_id) for task_id in dict.fromkeys(task_ids)]
    plugins = get_plugins(project)
    before = len(plugins.failures)
    report = lint_tasks(tasks, plugins)
    for failure in plugins.failures[before:]:
        warn(failure)
    if mode == "json":
        print_json(report.to_dict())
    else:
        lines = []
        shown = None
        for hit in report.hits:
            if (hit.task_id, hit.number) != shown:
                shown = (hit.task_id, hit.number)
                lines.append(f"{hit.task_id} #{hit.number}: {hit.text}")
            lines.append(f"  {hit.finding.rule}: {hit.finding.message}")
            lines.append(f"    fix: {hit.finding.suggestion}")
        # docs/plugins.md shows this line; change both together.
        lines.append(f"{report.flagged} of {report.criteria} criteria flagged in {_tasks(report.tasks)}")
        write("".join(line + "\n" for line in lines))
    if report.hits:
        ctx.exit(EXIT_CRITERIA)


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"
