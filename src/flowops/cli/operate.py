"""``flowops operate ID``: create a validated feature's operations tasks and runbooks, track them, complete them."""

from __future__ import annotations

from pathlib import Path

import click

from flowops.cli.emitting import cli_emitter
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import FlowopsError, UsageError


@click.command("operate")
@click.argument("feature_id", metavar="ID")
@click.option("--alerts", "alert_files", multiple=True, metavar="FILE",
              help="Alert rules to write runbooks for: Prometheus rule files or alerts-config files (repeatable; "
                   "default: operate.alerts in the config, else the alert files `flowops discover` finds).")
@click.option("--playbook", "playbooks", multiple=True, metavar="NAME",
              help="Playbook to apply (repeatable; default: operate.playbooks, i.e. sre). See `flowops playbooks list`.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing, emit nothing.")
@click.option("--skip-state-check", is_flag=True, help="Bypass the workflow state guard (needs --reason; audited).")
@click.option("--reason", metavar="TEXT",
              help="Why the state check or the verification is skipped (recorded in the audit log).")
@click.option("--complete", is_flag=True,
              help="Move the feature to Deployed once every operations task is Done and every runbook is written.")
@click.option("--no-verify", is_flag=True,
              help="With --complete: do not run the checks bound to the operations tasks' criteria (needs --reason; "
                   "audited as workflow.verification_skipped).")
@click.option("--spec-id", metavar="ID", help="With --complete: the spec id sent with deploy.completed (default: operate.spec_id).")
@click.option("--file", "-f", "files", multiple=True, metavar="PATH",
              help="With --complete: a deployed file or folder sent with deploy.completed (repeatable; default: operate.files).")
@click.option("--status", is_flag=True, help="Show progress per area instead: tasks Done, criteria checked, runbooks filled.")
@output_options
@click.pass_context
def operate_command(ctx, feature_id, alert_files, playbooks, dry_run, skip_state_check, reason, complete, no_verify, spec_id,
                    files, status, plain, as_json):
    """Create the operations tasks and per-alert runbooks of a validated feature.

    The feature must be in an input state of the `operate` workflow (Validated by
    default): exit 4 otherwise, nothing written. Existing tasks are found by their
    key label (ops:cicd, ops:runbook:<alert>, ...) and reused, so a second run creates
    nothing. Bad alert files exit 2 naming file and position.

    Without --alerts (and without operate.alerts in the config) the alert files that
    `flowops discover` finds are read, and named on stderr.

    --complete refuses (exit 3, listing what is missing) until the work is done, then
    moves the feature to Deployed and emits deploy.completed. Criteria bound to a check
    (`verify: ...`) must pass it: a ticked criterion whose check fails blocks, with the
    evidence listed under it.
    """
    from flowops.cli.common import open_backlog
    from flowops.plugins import get_plugins
    from flowops.workflow.loader import load_workflow

    mode = resolve_mode(plain, as_json)
    try:
        if complete and status:
            raise UsageError("--complete and --status cannot be used together")
        if (spec_id or files) and not complete:
            raise UsageError("--spec-id and --file are only used with --complete")
        if no_verify and not complete:
            raise UsageError("--no-verify is only used with --complete")
        project, backlog = open_backlog()
        config = project.config
        workflow = load_workflow(project)
        plugins = get_plugins(project)
        options, notes = _options(project, config, alert_files, playbooks, dry_run, skip_state_check, reason, no_verify)
        before = len(plugins.failures)
        try:
            if status:
                _status(project, backlog, workflow, plugins, feature_id, options, mode)
            elif complete:
                _complete(ctx, project, backlog, workflow, plugins, feature_id, options, spec_id, files, mode)
            else:
                _operate(ctx, project, backlog, workflow, plugins, feature_id, options, mode)
        finally:
            for failure in plugins.failures[before:]:
                warn(failure)
        # Which alert files were discovered and read: said once the run did not fail on
        # something else (a missing task, an unknown playbook), where it would be noise.
        for note in notes:
            click.echo(note, err=True)
    except FlowopsError as exc:
        if mode == "json":
            # A script reading stdout gets one JSON document either way; the exit code
            # class (1 runtime, 2 usage, 3 criteria, 4 blocked) is in it too.
            document = {"feature": feature_id, "completed": False} if complete else {}
            print_json({**document, "error": exc.to_dict()})
        raise


def _options(project, config, alert_files, playbooks, dry_run, skip_state_check, reason, no_verify):
    """The run's OperateOptions, and notes for stderr (which alert files and SLO specs were read)."""
    from flowops.ops.operate import OperateOptions
    from flowops.slo.workflow import read_slo_inputs

    found = _lazy_inventory(project)
    # SLO specs (slo.specs, else discovered): their alerts get runbooks too.
    slo = read_slo_inputs(project, found)
    alerts = None
    notes: list[str] = []
    if alert_files:
        # As with `hooks emit -f`: paths on the command line are relative to the current folder.
        paths = [Path(f).absolute() for f in alert_files]
        shown = [project.relpath(p) for p in paths]
        paths, shown, notes = _without_generated(paths, shown, slo)
    elif config.get("operate.alerts"):
        from flowops.errors import ConfigError
        from flowops.safeio import RefusedFile, check_regular_inside

        paths = [Path(project.root, f) for f in config.get("operate.alerts") or []]
        shown = list(config.get("operate.alerts") or [])
        for path, name in zip(paths, shown, strict=True):
            try:
                check_regular_inside(path, Path(project.root))  # the repository names these: its own files only
            except RefusedFile as exc:
                raise ConfigError(f"alert file {name!r}: {exc.reason}", path=config.source, field="operate.alerts") from None
        paths, shown, notes = _without_generated(paths, shown, slo)
    else:
        paths, shown, alerts, notes = _discovered_alerts(found(), slo)
    if slo is not None:
        notes = [*slo.notes, f"SLO specs read: {slo.summary()}", *notes]
    options = OperateOptions(
        playbooks=list(playbooks) or list(config.get("operate.playbooks") or []),
        alert_files=list(zip(paths, shown, strict=True)),
        assignee=config.get("operate.assignee") or "",
        skip_state_check=skip_state_check,
        reason=reason,
        dry_run=dry_run,
        no_verify=no_verify,
        alerts=alerts,
        slo=slo,
    )
    return options, notes


def _lazy_inventory(project):
    """A function that runs `flowops discover` once, when first asked (the config may make it unnecessary)."""
    from flowops.discovery.inventory import Inventory, discover_project

    cache: list[Inventory] = []

    def inventory():
        if not cache:
            cache.append(discover_project(project))
        return cache[0]

    return inventory


def _without_generated(paths, shown, slo):
    """The alert files named, less the rules files generated from the SLO specs read (their alerts are the specs')."""
    from flowops.slo.workflow import file_header

    if slo is None:
        return paths, shown, []
    kept, notes = [], []
    for path, name in zip(paths, shown, strict=True):
        if slo.replaces(file_header(path)):
            notes.append(_generated_note(name))
        else:
            kept.append((path, name))
    return [p for p, _n in kept], [n for _p, n in kept], notes


def _generated_note(name: str) -> str:
    return (f"{name} was generated from the SLO specs read: its alerts are taken from the specs (one runbook per "
            "alert name), not read again")


def _discovered_alerts(inventory, slo):
    """The alert files `flowops discover` finds, their alerts (one per name), and notes naming them."""
    from flowops.ops.alerts import group_rules

    notes = [f"warning: {source.path}: not read for alerts: {source.problem.message}"
             for source in inventory.rule_sources if source.problem is not None]
    replaced = sorted({s.path for s in inventory.generated_rules if slo is not None and slo.replaces(s.generated)})
    notes += [_generated_note(path) for path in replaced]
    shown = [path for path in inventory.alert_files if path not in replaced]
    rules = [rule for rule in inventory.alerts if rule.source not in replaced]
    if shown:
        notes.append(f"no --alerts given: read the alert files discovery found: {', '.join(shown)}")
    elif slo is None:
        notes.append("no --alerts given, and discovery found no alert rule files: no runbooks to create")
    return [Path(inventory.root, path) for path in shown], shown, group_rules(rules), notes


# -- operate ------------------------------------------------------------------------------


def _operate(ctx, project, backlog, workflow, plugins, feature_id, options, mode):
    from flowops.ops.operate import run_operate

    result = run_operate(project, backlog, workflow, plugins, feature_id, options, emit=cli_emitter(ctx, project))
    for note in result.survey.warnings:
        warn(note)
    if result.skipped_state_check:
        warn(f"state check skipped for {result.feature.id} ({result.survey.state} is not an input state of 'operate'): "
             f"{result.reason}")
    if mode == "json":
        print_json(result.to_dict(project.relpath))
    elif mode == "rich":
        _operate_rich(project, result)
    else:
        write("".join(line + "\n" for line in _operate_lines(project, result)))


def _heading(result) -> str:
    found = result.survey
    rules = sum(len(alert.rules) for alert in found.alerts)
    counted = _count(len(found.alerts), "alert") + (f" ({rules} rules)" if rules != len(found.alerts) else "")
    sources = list(found.alert_files)
    if found.slo is not None and found.slo.spec_files:
        sources.append(f"the SLO specs {', '.join(found.slo.spec_files)}")
    alerts = f"{counted} from {' and '.join(sources)}" if sources else "no alert files"
    return f"{found.feature.id} {found.feature.title} [{found.state}] - playbooks: {', '.join(found.playbooks)}; {alerts}"


def _rules_lines(result) -> list[str]:
    """What became of the rules files generated from the SLO specs (their runbook links), one line each."""
    slo = result.survey.slo
    if slo is None:
        return []
    lines = []
    for rules in slo.rules:
        named = f" ({', '.join(rules.alerts)})" if rules.alerts else ""
        if rules.state == "updated":
            lines.append(f"SLO rules: updated {rules.path}: the runbook_url of {_count(len(rules.alerts), 'alert')} "
                         f"now names the runbook document{named}; commit it with the backlog")
        elif rules.state == "would update":
            lines.append(f"SLO rules: would update {rules.path}: the runbook_url of {_count(len(rules.alerts), 'alert')} "
                         f"would name the new runbook document{named}")
        elif rules.state == "current":
            lines.append(f"SLO rules: {rules.path} is current")
        elif rules.state == "missing" and rules.path:
            lines.append(f"SLO rules: {rules.path} does not exist yet: run `{rules.command}`")
        elif rules.state == "missing":
            lines.append(f"SLO rules: none generated from the SLO specs yet: run `{rules.command}` (any -o FILE will do)")
        elif rules.state == "not a file":
            lines.append(f"SLO rules: {rules.path} is not a regular file (a link, a FIFO): it was neither read nor "
                         "replaced")
        elif rules.state == "invalid":
            lines.append(f"SLO rules: {rules.path} cannot be regenerated while the SLO specs have errors "
                         "(`flowops slo validate` lists them)")
        else:
            lines.append(f"SLO rules: {rules.path} is not what the SLO specs generate now (they changed): run "
                         f"`{rules.command}`")
    return lines


def _verb(entry, dry_run: bool) -> str:
    return {"planned": "would create" if dry_run else "create", "created": "created", "reused": "reused",
            "orphaned": "orphaned"}.get(entry.action, entry.action)


def _task_rows(result):
    rows = []
    for entry in result.created + result.reused + result.orphaned:
        task = entry.task
        note = ""
        if entry.action == "orphaned":
            note = "alert no longer in the alert files; kept"
        elif entry.action == "reused" and task is not None and task.parent_task_id is None and "." not in task.id:
            note = "project-wide task (no parent)"
        rows.append((_verb(entry, result.dry_run), task.id if task else "-", entry.label, entry.title, note))
    return rows


def _runbook_rows(project, result):
    rows = []
    for entry in result.runbooks:
        document = entry.document
        verb = {"planned": "would create" if result.dry_run else "create"}.get(entry.document_action, entry.document_action)
        task = entry.task.id if entry.task else "(new task)"
        # A document still to be created has no file yet: "-", not its title in the file column.
        where = project.relpath(document.path) if document is not None and document.path else "-"
        rows.append((verb, document.id if document else "-", entry.alert.name, task, where))
    return rows


def _summary(result) -> str:
    runbooks = result.runbooks
    made = sum(1 for e in runbooks if e.document_action in ("created", "planned"))
    verb = "to create" if result.dry_run else "created"
    return (f"{_count(len(result.created), 'task')} {verb}, {len(result.reused)} reused, {len(result.orphaned)} orphaned; "
            f"{_count(made, 'runbook document')} {verb}, {len(runbooks) - made} reused")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _operate_lines(project, result) -> list[str]:
    lines = []
    if result.dry_run:
        lines.append("Dry run: nothing was written.")
    lines.append(_heading(result))
    rows = _task_rows(result)
    if rows:
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for verb, task_id, label, title, note in rows:
            line = f"{verb:<{widths[0]}}  {task_id:<{widths[1]}}  {label:<{widths[2]}}  {title}"
            lines.append(line + (f"  ({note})" if note else ""))
    runbooks = _runbook_rows(project, result)
    if runbooks:
        lines.append("runbook documents:")
        widths = [max(len(row[i]) for row in runbooks) for i in range(4)]
        for verb, doc_id, alert, task_id, where in runbooks:
            lines.append(f"{verb:<{widths[0]}}  {doc_id:<{widths[1]}}  {alert:<{widths[2]}}  {task_id:<{widths[3]}}  {where}")
    lines.append(_summary(result))
    lines += _rules_lines(result)
    return lines


def _operate_rich(project, result) -> None:
    from rich.markup import escape
    from rich.table import Table

    from flowops.cli.output import console

    out = console()
    if result.dry_run:
        out.print("[bold yellow]Dry run:[/] nothing was written.")
    out.print(escape(_heading(result)))
    colours = {"created": "green", "create": "green", "would create": "yellow", "reused": "cyan", "orphaned": "red"}
    table = Table(title="operations tasks", title_justify="left")
    for column in ("", "task", "key"):
        table.add_column(column, no_wrap=True)
    table.add_column("title")
    table.add_column("note")
    for verb, task_id, label, title, note in _task_rows(result):
        table.add_row(f"[{colours.get(verb, 'white')}]{escape(verb)}[/]", escape(task_id), escape(label), escape(title),
                      escape(note))
    out.print(table)
    runbooks = _runbook_rows(project, result)
    if runbooks:
        docs = Table(title="runbook documents", title_justify="left")
        for column in ("", "doc", "alert", "task"):
            docs.add_column(column, no_wrap=True)
        docs.add_column("file")
        for verb, *rest in runbooks:
            docs.add_row(f"[{colours.get(verb, 'white')}]{escape(verb)}[/]", *(escape(value) for value in rest))
        out.print(docs)
    out.print(escape(_summary(result)))
    for line in _rules_lines(result):
        out.print(escape(line))


# -- --status -------------------------------------------------------------------------------


def _status(project, backlog, workflow, plugins, feature_id, options, mode):
    from flowops.ops.operate import survey
    from flowops.ops.progress import progress

    found = survey(backlog, workflow, plugins, feature_id, options.playbooks, options.alert_files, alerts=options.alerts,
                   slo=options.slo)
    report = progress(found, backlog.config.done_status)
    for note in found.warnings:
        warn(note)
    if mode == "json":
        print_json(report.to_dict(project.relpath))
        return
    lines = [f"{found.feature.id} {found.feature.title} [{found.state}]"]
    rows = [("area", "tasks done", "criteria checked", "without a task")]
    rows += [(a.area, f"{a.done}/{a.total}", f"{a.checked}/{a.criteria}", str(a.missing)) for a in report.areas]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines += ["  ".join(f"{value:<{widths[i]}}" for i, value in enumerate(row)).rstrip() for row in rows]
    lines.append(f"runbook documents filled in: {report.runbooks_filled}/{report.runbooks_total}")
    lines += [f"  {doc}: still skeleton: {', '.join(sections)}" for doc, sections in report.unfilled.items()]
    orphaned = [e for e in found.entries if e.action == "orphaned"]
    lines += [f"orphaned: {e.task.id} {e.label} (alert no longer in the alert files)" for e in orphaned if e.task is not None]
    if not found.decision.allowed:
        from flowops.ops.completion import state_hint

        lines.append(f"operate cannot run yet: {state_hint(found)}")
    if report.ready and found.decision.allowed:
        lines.append(f"ready: `flowops operate {found.feature.id} --complete` will pass its gate")
    elif report.gaps:
        lines.append(f"not ready for --complete: {_count(len(report.gaps), 'item')} open")
        lines += [f"  - {gap.message}" for gap in report.gaps]
    _print_lines(mode, lines)


# -- --complete -----------------------------------------------------------------------------


def _complete(ctx, project, backlog, workflow, plugins, feature_id, options, spec_id, files, mode):
    from flowops.ops.completion import complete

    config = project.config
    # -f paths are relative to the current folder, as with hooks emit -f.
    chosen = [str(Path(f).absolute()) for f in files] if files else list(config.get("operate.files") or [])
    result = complete(project, backlog, workflow, plugins, feature_id, options,
                      spec_id=spec_id or config.get("operate.spec_id"), files=chosen, emit=cli_emitter(ctx, project))
    for note in result.survey.warnings:
        warn(note)
    if result.skipped_state_check:
        warn(f"state check skipped for {result.survey.feature.id}: {options.reason}")
    if mode == "json":
        print_json(result.to_dict())
        return
    feature = result.survey.feature
    if result.dry_run:
        lines = [f"{feature.id}: the gate passes for {len(result.ops_task_ids)} operations tasks; "
                 f"--complete would move it to {result.survey.decision.output_state} (dry run: nothing written)"]
    else:
        moved = result.transition
        lines = [f"{feature.id}: {moved.from_state} -> {moved.to_state} (via {moved.via})",
                 f"deploy.completed emitted for {len(result.ops_task_ids)} operations tasks: {', '.join(result.ops_task_ids)}"]
        if result.files:
            lines.append("files: " + ", ".join(result.files))
    _print_lines(mode, lines)


def _print_lines(mode: str, lines: list[str]) -> None:
    if mode == "rich":
        import textwrap

        from flowops.cli.output import console

        out = console()
        for line in lines:
            # Wrapped continuation lines hang under the text, not at the margin: a long gap
            # ("  - TASK-1.6 (...): runbook document doc-2 still has ...") stays one item.
            body = line.lstrip(" ")
            indent = " " * (len(line) - len(body)) + ("  " if body.startswith("- ") else "")
            wrapped = textwrap.fill(line, width=max(out.width, 40), subsequent_indent=indent or "  ",
                                    break_on_hyphens=False, break_long_words=False)
            out.print(wrapped, markup=False, highlight=False, soft_wrap=True)
    else:
        write("".join(line + "\n" for line in lines))
