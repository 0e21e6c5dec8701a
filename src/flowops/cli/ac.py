"""``flowops ac``: acceptance criteria: unchecked ones, vague ones, and the checks that verify them."""

from __future__ import annotations

import shlex
from typing import Any

import click

from flowops.cli.emitting import cli_emitter
from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import EXIT_CRITERIA, Reported, UsageError


@click.group("ac", cls=HelpGroup)
def ac_group() -> None:
    """Acceptance criteria: check that they are met, lint that they are checkable, verify them with evidence."""


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
        raise Reported(EXIT_CRITERIA)


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
    from flowops.acceptance.check import lint_backlog, lint_tasks
    from flowops.cli.common import open_backlog
    from flowops.plugins import get_plugins

    mode = resolve_mode(plain, as_json)
    if lint_all and task_ids:
        raise UsageError("give task ids or --all, not both")
    if not lint_all and not task_ids:
        raise UsageError("nothing to lint", hint="name tasks (flowops ac lint 12 13) or pass --all")
    project, backlog = open_backlog()
    if lint_all:
        # The plugins first: with only built-in rules, the processes reading the files lint too.
        backlog.check_inside()
        plugins = get_plugins(project)
        before = len(plugins.failures)
        report, bad_files = lint_backlog(backlog, plugins, project.cache_dir)
        for bad in bad_files:
            warn(bad.problem(project.root))
    else:
        tasks = [backlog.get(task_id) for task_id in dict.fromkeys(task_ids)]
        plugins = get_plugins(project)
        before = len(plugins.failures)
        report = lint_tasks(tasks, plugins, project.cache_dir)
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
        raise Reported(EXIT_CRITERIA)


def _tasks(count: int) -> str:
    return f"{count} task" if count == 1 else f"{count} tasks"


@ac_group.command("verify")
@click.argument("task_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--recursive", "-r", is_flag=True, help="Include the tasks' subtasks, and theirs.")
@click.option("--update", is_flag=True,
              help="Tick criteria whose check passed, untick ticked criteria whose check failed (one write per task; "
                   "emits ac.verified).")
@click.option("--dry-run", is_flag=True, help="List the bound checks and the commands they would run; run nothing.")
@output_options
@click.pass_context
def verify_command(ctx, task_ids, recursive, update, dry_run, plain, as_json):
    """Run the checks bound to the tasks' criteria and show the evidence: exit 0 when all passed, 3 otherwise.

    A criterion is bound by a code span at the end of its text, e.g.
    "... limits `verify: k8s.resources`" (see `flowops ac bind`). Unbound criteria are
    reported as manual. A check that could not run (a tool is missing) is skipped and
    counts as not passed. Only checks written into criteria are run; `cmd` checks run
    their program without a shell in the repository root, and each is named on stderr
    before it starts. Every verification is recorded in the audit log with the commit.
    """
    from flowops.acceptance.verify import collect_tasks, verify
    from flowops.checks.runner import make_runner
    from flowops.cli.common import open_backlog
    from flowops.plugins import get_plugins

    mode = resolve_mode(plain, as_json)
    if dry_run and update:
        raise UsageError("--dry-run and --update cannot be used together")
    project, backlog = open_backlog()
    plugins = get_plugins(project)
    before = len(plugins.failures)
    runner = make_runner(project, backlog, plugins)
    if dry_run:
        _show_plan(mode, _plan(project, runner, collect_tasks(backlog, task_ids, recursive=recursive)))
        return

    def on_start(task, number, binding, check):
        if check is not None and check.runs_programs:
            what = f"`{shlex.join(binding.args)}`" if binding.name == "cmd" else binding.name
            click.echo(f"running {what} in {project.root} for {task.id} #{number}", err=True)

    report = verify(project, backlog, runner, task_ids, recursive=recursive, update=update,
                    emit=cli_emitter(ctx, project), on_start=on_start,
                    command="ac verify " + " ".join(task_ids) + (" --recursive" if recursive else ""))
    for failure in plugins.failures[before:]:
        warn(failure)
    for change in report.updates:
        for note in change.skipped:
            warn(f"{change.task_id} {note}")
    if mode == "json":
        print_json(report.to_dict())
    else:
        _print(mode, verify_lines(report))
    if not report.all_passed:
        raise Reported(EXIT_CRITERIA)


def verify_lines(report) -> list[str]:
    """The plain report: per task its criteria with status, check and evidence; then the summary."""
    titles = {task.id: task.title for task in report.tasks}
    lines: list[str] = []
    shown = None
    for result in report.results:
        if result.task_id != shown:
            shown = result.task_id
            lines.append(f"{result.task_id} {titles.get(result.task_id, '')}".rstrip())
        tick = "[x]" if result.checked else "[ ]"
        check = f" `verify: {result.check}`" if result.check is not None else ""
        lines.append(f"  #{result.index} {tick} {result.status.upper()}{check}  {result.text}")
        if result.status != "manual":
            lines.append(f"      {result.summary}")
            lines += [f"      {evidence}" for evidence in result.evidence]
    for change in report.updates:
        done = [f"ticked {', '.join(f'#{n}' for n in change.checked)}" if change.checked else "",
                f"unticked {', '.join(f'#{n}' for n in change.unchecked)}" if change.unchecked else ""]
        lines.append(f"{change.task_id}: " + "; ".join(d for d in done if d))
    counts = report.summary
    lines.append(", ".join(f"{counts[s]} {s}" for s in ("pass", "fail", "skipped", "error", "manual"))
                 + f" ({report.state.describe()})")
    return lines


def _show_plan(mode: str, plan: list[dict]) -> None:
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "ac-verify-plan", "checks": plan})
    else:
        write("".join(_plan_line(entry) + "\n" for entry in plan) or "no criterion is bound to a check\n")


def _plan(project, runner, tasks) -> list[dict]:
    from flowops.checks.binding import BindingError, find_binding

    plan = []
    for task in tasks:
        for criterion in task.acceptance_criteria:
            try:
                binding = find_binding(criterion.text)
            except BindingError as exc:
                plan.append({"taskId": task.id, "index": criterion.index, "check": exc.check, "problem": str(exc)})
                continue
            if binding is None:
                continue
            check = runner.check(binding.name)
            entry = {"taskId": task.id, "index": criterion.index, "check": binding.check,
                     "problem": runner.validate(binding), "runs": None,
                     "reads": check.reads if check is not None else None}
            if check is not None and check.runs_programs:
                entry["runs"] = _runs(binding)
            entry["cwd"] = str(project.root)
            plan.append(entry)
    return plan


def _runs(binding) -> list[str]:
    if binding.name == "cmd":
        from flowops.checks.cmd import parse
        from flowops.checks.model import CheckUsageError

        try:
            return parse(binding.args)[1]
        except CheckUsageError:
            return []
    if binding.name == "prom.rules":
        return ["promtool", "check", "rules", "<each rule source>"]
    return []


def _plan_line(entry: dict) -> str:
    line = f"{entry['taskId']} #{entry['index']} `verify: {entry['check']}`"
    if entry.get("problem"):
        return line + f"  cannot run: {entry['problem']}"
    if entry.get("runs"):
        return line + f"  runs: {' '.join(entry['runs'])} (in {entry['cwd']}, no shell)"
    return line + (f"  reads: {entry['reads']}" if entry.get("reads") else "")


@ac_group.command("bind")
@click.argument("task_id", metavar="ID")
@click.argument("number", type=int, metavar="N")
@click.argument("check", nargs=-1, required=True, metavar="-- CHECK [ARG]...")
@click.pass_context
def bind_command(ctx, task_id, number, check):
    """Bind criterion N of a task to a check: flowops ac bind 12 3 -- k8s.hpa --min 3

    The check is written at the end of the criterion's text as `verify: CHECK ARGS`,
    where Backlog.md shows it and keeps it; the tick is left as it is. Unknown checks
    and bad arguments are refused (exit 2); `flowops ac checks` lists the checks.
    """
    from flowops.acceptance.bind import bind_criterion
    from flowops.checks.runner import make_runner
    from flowops.cli.common import open_backlog
    from flowops.plugins import get_plugins

    project, backlog = open_backlog()
    runner = make_runner(project, backlog, get_plugins(project))
    result = bind_criterion(backlog, runner, task_id, number, list(check), emit=cli_emitter(ctx, project))
    write(f"{result.task.id} #{number}: {result.after}\n" if result.changed
          else f"{result.task.id} #{number} is already bound to that check\n")


@ac_group.command("unbind")
@click.argument("task_id", metavar="ID")
@click.argument("number", type=int, metavar="N")
@click.pass_context
def unbind_command(ctx, task_id, number):
    """Take the check off criterion N of a task (it becomes a manual criterion again)."""
    from flowops.acceptance.bind import unbind_criterion
    from flowops.cli.common import open_backlog

    project, backlog = open_backlog()
    result = unbind_criterion(backlog, task_id, number, emit=cli_emitter(ctx, project))
    write(f"{result.task.id} #{number}: {result.after}\n" if result.changed
          else f"{result.task.id} #{number} is not bound to a check; nothing changed\n")


@ac_group.command("checks")
@output_options
def checks_command(plain, as_json):
    """List the checks criteria can be bound to, with their arguments and the plugin that provides each."""
    from flowops.checks.registry import collect_checks
    from flowops.cli.common import open_backlog
    from flowops.plugins import get_plugins

    mode = resolve_mode(plain, as_json)
    project, _backlog = open_backlog(require=False)
    checks = collect_checks(get_plugins(project))
    rows: list[dict[str, Any]] = [
        {"name": name, "usage": check.usage or name, "summary": check.summary, "reads": check.reads, "plugin": plugin,
         "runsPrograms": check.runs_programs} for name, (plugin, check) in checks.items()]
    if mode == "json":
        print_json({"checks": rows})
        return
    width = max((len(row["usage"]) for row in rows), default=0)
    write("".join(f"{row['usage']:<{width}}  {row['summary']} ({row['plugin']})\n" for row in rows))


def _print(mode: str, lines: list[str]) -> None:
    if mode == "rich":
        from flowops.cli.output import console

        styles = {" PASS": "green", " FAIL": "red", " SKIPPED": "yellow", " ERROR": "magenta"}
        for line in lines:
            style = next((s for key, s in styles.items() if line.startswith("  #") and key in line.split("`")[0]), None)
            console().print(line, markup=False, highlight=False, style=style)
    else:
        write("".join(line + "\n" for line in lines))
