"""``flowops workflow``: validate the workflow file, show a task's state, check and move it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click

from flowops.cli.emitting import cli_emitter
from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, warn_plugin_failures, write
from flowops.errors import BlockedError, ConfigError, FlowopsError

VIA_CHOICES = ("manual", "rework", "rollback")


@click.group("workflow", cls=HelpGroup)
def workflow_group() -> None:
    """The enforced workflow: validate .flowops/workflow.yml, see and move a task's state.

    A task's state is its label workflow:<State>; a task without one is in the first state.
    """


@workflow_group.command("validate")
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Validate this file instead of .flowops/workflow.yml.",
)
@output_options
def validate_command(file: Path | None, plain: bool, as_json: bool) -> None:
    """Check the workflow file: exit 0 when valid, 2 when not.

    Warnings (printed too) do not make the file invalid. Without --file, checks
    .flowops/workflow.yml, or the built-in default when that file does not exist.
    """
    from flowops.cli.output import validity_summary
    from flowops.project import find_project
    from flowops.workflow.validate import check_file, counted

    mode = resolve_mode(plain, as_json)
    report = check_file(find_project(), file)
    if mode == "json":
        print_json(report.to_dict())
    else:
        lines = [f"{p.severity}: {p}" for p in report.problems]
        name = report.file
        if report.default:
            lines.append(f"{report.file} does not exist; the built-in default workflow applies")
            name = "built-in default"
        lines.append(f"{name}: {validity_summary(errors=report.errors, warnings=report.warnings)}")
        _print_lines(mode, lines)
    if not report.valid:
        raise ConfigError(f"invalid workflow ({counted(report.errors, 'error')})", path=report.file)


@workflow_group.command("show")
@output_options
def show_command(plain: bool, as_json: bool) -> None:
    """Show the workflow in effect: states, workflows and transitions."""
    from flowops.project import find_project
    from flowops.workflow.loader import load_workflow

    mode = resolve_mode(plain, as_json)
    config = load_workflow(find_project())
    if mode == "json":
        print_json(config.to_dict())
        return
    lines = [f"workflow: {config.source}", "states: " + " -> ".join(config.states), "workflows:"]
    for workflow in config.workflows.values():
        lines.append(f"  {workflow.name} ({workflow.command}): {', '.join(workflow.input_states)} -> {workflow.output_state}")
    lines.append("transitions:")
    lines.extend(f"  {t.from_state} -> {t.to_state} (via {t.via})" for t in config.transitions)
    _print_lines(mode, lines)


@workflow_group.command("status")
@click.argument("task_id", metavar="ID")
@output_options
def status_command(task_id: str, plain: bool, as_json: bool) -> None:
    """Show a task's state, what may run now and where it can go."""
    from flowops.workflow.status import task_status

    mode = resolve_mode(plain, as_json)
    project, backlog, config = _open()
    status = task_status(config, backlog.get(task_id))
    if mode == "json":
        print_json(status.to_dict())
        return
    runnable = ", ".join(f"{w.name} ({w.command}) -> {w.output_state}" for w in status.runnable) or "none"
    moves = ", ".join(f"{state} (via {via})" for state, via in status.next) or "none"
    state = status.state + ("" if status.label else " (no workflow label: the first state)")
    lines = [
        f"{status.id} - {status.title}",
        f"state: {state}",
        f"can run now: {runnable}",
        f"next states: {moves}" + (" - a terminal state" if status.terminal else ""),
    ]
    _print_lines(mode, lines)


@workflow_group.command("check")
@click.argument("workflow_name", metavar="WORKFLOW")
@click.argument("task_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as one JSON document.")
def check_command(workflow_name: str, task_id: str, as_json: bool) -> None:
    """Say whether a workflow may run on a task (exit 0 or 4).

    WORKFLOW is a name such as operate, or its command /flow:operate. The state guard
    and the plugins' check_transition hooks decide; nothing is written.
    """
    from flowops.plugins import get_plugins
    from flowops.workflow.transitions import check_task

    project, backlog, config = _open()
    plugins = get_plugins(project)
    decision = check_task(backlog, config, task_id, workflow_name, plugins=plugins)
    warn_plugin_failures(plugins)
    if as_json:
        print_json(decision.to_dict())
    if not decision.allowed:
        raise BlockedError(decision.message)
    if not as_json:
        write(decision.message + "\n")


@workflow_group.command("advance")
@click.argument("workflow_name", metavar="WORKFLOW")
@click.argument("task_id", metavar="ID")
@click.option("--skip-state-check", is_flag=True, help="Bypass the state guard (emergencies only; needs --reason, audited).")
@click.option("--no-verify", is_flag=True,
              help="Skip the criteria_verified gates: bound criteria are not run (needs --reason, audited).")
@click.option("--reason", metavar="TEXT", help="Why the state check or the verification is skipped (recorded in the audit log).")
@output_options
def advance_command(workflow_name: str, task_id: str, skip_state_check: bool, no_verify: bool, reason: str | None,
                    plain: bool, as_json: bool) -> None:
    """Move a task to a workflow's output state (guarded).

    The task must be in one of WORKFLOW's input states, no plugin may veto the move,
    and the move's gates (workflow.yml `gates:`) must be met: exit 3 for criteria not
    checked or not passing their checks (each listed with its evidence), 4 when
    blocked otherwise; nothing is written then. Emits workflow.transitioned.
    """
    from flowops.plugins import get_plugins
    from flowops.workflow.transitions import advance

    mode = resolve_mode(plain, as_json)
    ctx = click.get_current_context()
    project, backlog, config = _open()
    plugins = get_plugins(project)
    with _reporting_refusals(plugins):
        result = advance(
            backlog,
            config,
            task_id,
            workflow_name,
            plugins=plugins,
            skip_state_check=skip_state_check,
            reason=reason,
            emit=cli_emitter(ctx, project),
            no_verify=no_verify,
        )
    _warn_failures(result.warnings)
    if result.skipped_state_check:
        warn(f"state check skipped for {result.task.id} ({result.from_state} is not an input state of '{result.via}'): {result.reason}")
    _warn_verification_skipped(result)
    _render_move(mode, result)


@workflow_group.command("set")
@click.argument("task_id", metavar="ID")
@click.argument("state", metavar="STATE")
@click.option("--via", type=click.Choice(VIA_CHOICES), default="manual", show_default=True, help="The kind of declared transition to use.")
@click.option("--no-verify", is_flag=True,
              help="Skip the transition's criteria_verified gates (needs --reason, audited).")
@click.option("--reason", metavar="TEXT", help="Why the verification is skipped (recorded in the audit log).")
@output_options
def set_command(task_id: str, state: str, via: str, no_verify: bool, reason: str | None, plain: bool, as_json: bool) -> None:
    """Move a task by hand along a declared transition.

    The workflow file must declare a transition from the task's state to STATE with
    this --via (manual, rework or rollback). Exit 4 when it declares none or a plugin
    refuses, 3 when the transition's gates find criteria unchecked or failing their
    checks; nothing is written then. Emits workflow.transitioned.
    """
    from flowops.plugins import get_plugins
    from flowops.workflow.transitions import set_state

    mode = resolve_mode(plain, as_json)
    ctx = click.get_current_context()
    project, backlog, config = _open()
    plugins = get_plugins(project)
    with _reporting_refusals(plugins):
        result = set_state(backlog, config, task_id, state, via=via, plugins=plugins, emit=cli_emitter(ctx, project),
                           no_verify=no_verify, reason=reason)
    _warn_failures(result.warnings)
    _warn_verification_skipped(result)
    _render_move(mode, result)


def _warn_verification_skipped(result) -> None:
    if result.skipped_verification:
        count = len(result.skipped_verification)
        warn(f"verification skipped for {result.task.id} ({count} bound criteri{'on' if count == 1 else 'a'} not run): "
             f"{result.reason}")


def _open():
    """The project, its backlog and its (valid) workflow."""
    from flowops.backlog.store import load_backlog
    from flowops.project import find_project
    from flowops.workflow.loader import load_workflow

    project = find_project()
    config = load_workflow(project)
    return project, load_backlog(project), config


def _render_move(mode: str, result) -> None:
    if mode == "json":
        print_json(result.to_dict())
    elif result.changed:
        _print_lines(mode, [f"{result.task.id}: {result.from_state} -> {result.to_state} (via {result.via})"])
    else:
        _print_lines(mode, [f"{result.task.id} is already in {result.to_state}; nothing changed"])


@contextmanager
def _reporting_refusals(plugins):
    """On a refused move, name the plugins that failed (one that failed to load never got to vote).

    A move that succeeds emits an event, and the event bus reports load failures then.
    """
    try:
        yield
    except FlowopsError:
        warn_plugin_failures(plugins)
        raise


def _warn_failures(failures) -> None:
    for failure in failures:
        warn(failure)


def _print_lines(mode: str, lines: list[str]) -> None:
    if mode == "rich":
        from flowops.cli.output import console

        for line in lines:
            console().print(line, markup=False)
    else:
        write("".join(line + "\n" for line in lines))
