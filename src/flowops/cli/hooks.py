"""``flowops hooks``: emit events, inspect and test handlers, read the audit log, replay the outbox."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from flowops.cli.emitting import hooks_suppressed
from flowops.cli.groups import HelpGroup
from flowops.cli.output import console, output_options, print_json, resolve_mode, say_err, warn, write
from flowops.errors import EXIT_FAILURE, EXIT_USAGE, ConfigError, Reported, UsageError


@click.group("hooks", cls=HelpGroup)
def hooks_group() -> None:
    """Workflow events: emit them, configure their handlers, read the audit log."""


@hooks_group.command("emit")
@click.argument("event_type", metavar="TYPE")
@click.option("--spec-id", help="The spec (feature) the event is about.")
@click.option("--task-id", help="The task the event is about (also the CloudEvents subject).")
@click.option("-f", "--file", "files", multiple=True, metavar="PATH", help="A file or folder involved (repeatable).")
@click.option("--data", "pairs", multiple=True, metavar="KEY=VALUE", help="A data field (repeatable; values are strings).")
@click.option("--json-data", metavar="JSON", help="Data fields as one JSON object (--data pairs override its keys).")
@click.option("--dry-run", is_flag=True, help="Show which handlers would run; run none and record nothing.")
@click.option("--strict", is_flag=True, help="Exit 1 when any handler fails, not only fail_mode: stop ones.")
@output_options
@click.pass_context
def emit_command(ctx, event_type, spec_id, task_id, files, pairs, json_data, dry_run, strict, plain, as_json):
    """Emit the event TYPE (e.g. deploy.completed) to the configured handlers.

    Exit 0 when every handler that had to succeed did, 1 when one failed, 2 for usage
    or configuration errors.
    """
    from flowops.events.bus import emit
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    data = _parse_data(pairs, json_data)
    project = find_project()
    if task_id:
        _warn_unknown_task(project, task_id)
    report = emit(
        project,
        event_type,
        task_id=task_id,
        spec_id=spec_id,
        # -f paths are relative to where the user stands; emit() takes repository-relative or absolute ones.
        files=[os.path.abspath(path) for path in files],
        data=data,
        no_hooks=hooks_suppressed(ctx),
        dry_run=dry_run,
        strict=strict,
    )
    for warning in report.warnings:
        warn(warning)
    if mode == "json":
        print_json(report.to_dict())
    else:
        event = report.event
        if dry_run:
            verb = "dry run, not recorded"
        elif not report.delivered:
            verb = "recorded, delivery suppressed (--no-hooks)"
        else:
            verb = "recorded"
        write(f"{event.type} {event.id} {verb}\n")
        _print_results(report.results, mode)
    if report.stopped_by:
        click.echo(f"error: handler {report.stopped_by} failed and has fail_mode: stop", err=True)
    elif not report.ok:
        click.echo(f"error: {len(report.failed)} handler(s) failed (--strict)", err=True)
    if report.exit_code:
        raise Reported(report.exit_code)


@hooks_group.command("list")
@output_options
def list_command(plain, as_json):
    """List the handlers configured in .flowops/hooks.yaml and the Python observers."""
    from flowops.events.bus import observers
    from flowops.events.handlers import handler_types
    from flowops.events.hooksfile import load_hooks
    from flowops.plugins import get_plugins
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    project = find_project()
    types = handler_types(project)
    hooks_file = load_hooks(project, types)
    watchers = observers(get_plugins(project))
    rows: list[dict[str, Any]] = [
        {
            "name": hook.name,
            "events": hook.events,
            "type": hook.type,
            "handler": hook.describe(types.get(hook.type)),
            "filter": hook.filter,
            "timeout": hook.timeout,
            "fail_mode": hook.fail_mode,
            "line": hook.line,
        }
        for hook in hooks_file.hooks
    ]
    if mode == "json":
        print_json({"path": hooks_file.path, "exists": hooks_file.exists, "hooks": rows, "observers": watchers,
                    "handler_types": sorted(types)})
        return
    if not hooks_file.exists:
        write(f"no handlers: {hooks_file.path} does not exist\n")
    elif not rows:
        write(f"no handlers in {hooks_file.path}\n")
    if rows and mode == "rich":
        from rich.markup import escape
        from rich.table import Table

        table = Table("name", "events", "handler", "fail_mode", "timeout", "filter")
        for row in rows:
            # Event globs ("deploy.[ab]*") and arguments are text, not rich markup.
            cells = (row["name"], ", ".join(row["events"]), row["handler"], row["fail_mode"], f"{row['timeout']:g} s",
                     _filter_text(row["filter"]))
            table.add_row(*(escape(cell) for cell in cells))
        console().print(table)
    else:
        for row in rows:
            line = f"{row['name']}\t{','.join(row['events'])}\t{row['handler']}\tfail_mode={row['fail_mode']}\ttimeout={row['timeout']:g}"
            if row["filter"]:
                line += f"\tfilter={_filter_text(row['filter'])}"
            write(line + "\n")
    if watchers:
        write(f"python observers (on_event): {', '.join(watchers)}\n")


@hooks_group.command("validate")
@click.option("--file", "file", type=click.Path(dir_okay=False), help="Validate this file instead of .flowops/hooks.yaml.")
@output_options
@click.pass_context
def validate_command(ctx, file, plain, as_json):
    """Check hooks.yaml and report every problem at once (exit 2 when there is an error).

    Checks the schema, unknown keys, duplicate names, timeouts (1-600 s), relative
    program paths that lead outside the repository and ${VAR} references to unset
    environment variables.
    """
    from flowops.cli.output import validity_summary
    from flowops.errors import Problem
    from flowops.events.handlers import handler_types
    from flowops.events.hooksfile import read_hooks
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    project = find_project()
    path: str | None
    try:
        checked = read_hooks(project, handler_types(project), file=file, check_env=True)
        path, exists, problems, count = checked.path, checked.exists, checked.problems, len(checked.hooks)
    except ConfigError as exc:  # unreadable YAML: one located problem
        path, exists, count = exc.path, True, 0
        problems = [Problem(exc.message, exc.path, exc.line, exc.field)]
    errors = [p for p in problems if p.severity == "error"]
    if mode == "json":
        print_json({"path": path, "exists": exists, "valid": not errors, "hooks": count, "problems": [p.to_dict() for p in problems]})
    else:
        for problem in problems:
            say_err(f"{problem.severity}: {problem}")
        if not exists:
            write(f"{path} does not exist: no handlers configured\n")
        else:
            write(f"{path}: {validity_summary(errors=len(errors), warnings=len(problems) - len(errors), handlers=count)}\n")
    if errors:
        raise Reported(EXIT_USAGE)


@hooks_group.command("test")
@click.argument("name")
@click.argument("event_type", metavar="[TYPE]", required=False)
@output_options
@click.pass_context
def test_command(ctx, name, event_type, plain, as_json):
    """Send a sample event to the handler NAME only (its filter is ignored); exit 0 if it succeeded."""
    from flowops.events.bus import try_handler
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    event, result = try_handler(find_project(), name, event_type)
    if mode == "json":
        print_json({"event": event.to_dict(), "result": result.to_dict()})
    else:
        write(f"sent {event.type} {event.id} to {name}\n")
        _print_results([result], mode)
        for label, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text:
                write(f"--- {label}\n{text}{'' if text.endswith(chr(10)) else chr(10)}")
    if not result.ok:
        raise Reported(EXIT_FAILURE)


@hooks_group.command("log")
@click.option("--tail", type=click.IntRange(min=1), metavar="N", help="Only the last N records.")
@click.option("--type", "type_glob", metavar="GLOB", help="Only records about events matching GLOB (e.g. 'deploy.*').")
@click.option("--verify", is_flag=True, help="Check the hash chain; exit 1 at the first broken or missing link.")
@output_options
@click.pass_context
def log_command(ctx, tail, type_glob, verify, plain, as_json):
    """Show the audit log (.git/flowops/log/events.jsonl), or verify its hash chain."""
    from flowops.events import audit
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    project = find_project()
    if verify:
        checked = audit.verify(project)
        if mode == "json":
            print_json(checked.to_dict())
        else:
            shown = audit.shown_path(project)
            notes = [
                f"{shown}:{item.line}: interrupted write ({item.size} bytes, "
                + ("skipped by the records after it)" if item.repaired else "no final newline; the next append removes it)")
                for item in checked.interrupted
            ]
            if checked.ok:
                write("".join(note + "\n" for note in notes) + f"ok: {checked.records} records, hash chain intact\n")
            else:
                write("".join(note + "\n" for note in notes) + f"{shown}:{checked.line}: {checked.problem}\n")
        if not checked.ok:
            raise Reported(EXIT_FAILURE)
        return
    records = audit.select(project, type_glob=type_glob, tail=tail)
    if mode == "json":
        print_json({"records": records})
        return
    write("".join(_log_line(record) + "\n" for record in records))


@hooks_group.command("replay")
@click.option("--handler", metavar="NAME", help="Only the events queued for this handler.")
@output_options
@click.pass_context
def replay_command(ctx, handler, plain, as_json):
    """Deliver the events waiting in the outbox again (same event ids); exit 1 if any still fail."""
    from flowops.events.replay import replay
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    report = replay(find_project(), handler=handler)
    for warning in report.warnings:
        warn(warning)
    if mode == "json":
        print_json(report.to_dict())
    else:
        _print_results(report.delivered + report.failed, mode)
        write(f"{len(report.delivered)} delivered, {len(report.failed)} failed, {report.remaining} left in the outbox\n")
    if report.exit_code:
        raise Reported(report.exit_code)


@hooks_group.command("events")
@output_options
def events_command(plain, as_json):
    """List the built-in event names and what their data carries (custom names are allowed too)."""
    from flowops.events.catalog import CATALOG

    mode = resolve_mode(plain, as_json)
    if mode == "json":
        print_json({"events": [{"name": name, "description": text} for name, text in CATALOG.items()]})
        return
    width = max(len(name) for name in CATALOG)
    write("".join(f"{name.ljust(width)}  {text}\n" for name, text in CATALOG.items()))


def _warn_unknown_task(project, task_id: str) -> None:
    """A --task-id the backlog does not hold is most likely a typo: say so, and still emit."""
    from flowops.backlog.store import Backlog
    from flowops.errors import FlowopsError, NotFoundError

    backlog = Backlog(project)
    if not backlog.exists:
        return  # events without a backlog (a CI job, say) are fine
    folders = ("tasks", "completed", "drafts", "archive")
    try:
        # A file named for the id settles it without parsing anything; only a task whose
        # file was renamed by hand (or a typo) needs the full lookup.
        if backlog.named(task_id, folders):
            return
        backlog.get(task_id, folders)
    except NotFoundError:
        warn(f"task {task_id} does not exist in {project.relpath(backlog.dir)}/ (the event is recorded with it anyway)")
    except FlowopsError as exc:
        warn(f"{exc.message} (the event is recorded with it anyway)")


def _parse_data(pairs: tuple[str, ...], json_data: str | None) -> dict:
    data: dict = {}
    if json_data:
        try:
            loaded = json.loads(json_data)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--json-data is not valid JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise UsageError("--json-data must be a JSON object, e.g. '{\"region\": \"eu\"}'")
        data.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--data {pair!r} must be KEY=VALUE")
        data[key.strip()] = value
    return data


def _print_results(results, mode: str) -> None:
    if mode == "rich":
        from rich.markup import escape

        for result in results:
            colour = "yellow" if result.skipped else ("green" if result.ok else "red")
            console().print(f"[{colour}]{escape(result.summary())}[/{colour}]")
        return
    write("".join(f"{result.summary()}\n" for result in results))


def _filter_text(filters: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in filters.items())


def _log_line(record: dict) -> str:
    from flowops.events.audit import record_type

    kind = record.get("kind", "?")
    parts = [record.get("time", ""), kind, record_type(record) or "-"]
    if kind == "event":
        event = record.get("event") or {}
        parts += [event.get("id", ""), event.get("subject") or "-"]
    elif kind == "delivery":
        status = "skipped" if record.get("skipped") else ("ok" if record.get("ok") else "failed")
        parts += [record.get("event_id", ""), record.get("handler", ""), status]
        for key, label in (("exit_code", "exit"), ("status", "HTTP")):
            if record.get(key) is not None:
                parts.append(f"{label} {record[key]}")
        if record.get("replay"):
            parts.append("replay")
        if record.get("error"):
            parts.append(record["error"])
    else:
        parts += [record.get("event_id", "-"), record.get("error", "")]
    return "\t".join(str(part) for part in parts)
