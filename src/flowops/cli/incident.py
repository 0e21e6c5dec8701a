"""``flowops incident ...``: open, feed from Alertmanager, note, resolve, track and count incidents."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import click

from flowops.cli.emitting import cli_emitter
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import StoreError, UsageError

_RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")


@click.group("incident")
def incident_group() -> None:
    """Incidents from firing alerts, their timelines, postmortems and action items.

    An incident is a task labelled ops:incident with a Timeline section. Alertmanager
    notifications open one incident per alert group (idempotent by groupKey); a
    resolved incident gets a postmortem document and task, and cannot be Done until
    the postmortem is written and each action item is a task.
    """


# -- helpers ----------------------------------------------------------------------------


def _default_author() -> str:
    """Who is writing: FLOWOPS_USER, else git's user.name, else the login name."""
    name = os.environ.get("FLOWOPS_USER", "").strip()
    if name:
        return name
    try:
        found = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5,
                               stdin=subprocess.DEVNULL).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    return found or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _by_option(func):
    return click.option("--by", metavar="NAME",
                        help="Who is writing (default: $FLOWOPS_USER, else git's user.name, else the login name).")(func)


def _time(value: str | None, option: str) -> datetime | None:
    """``--at`` style times: RFC 3339 or 'YYYY-MM-DD HH:MM' (UTC)."""
    if value is None:
        return None
    from flowops.incidents.timeline import parse_time

    try:
        return parse_time(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a time",
                         hint="use RFC 3339 (2026-11-29T09:31:00Z) or 'YYYY-MM-DD HH:MM' in UTC") from None


def _since(value: str | None, option: str, now: datetime) -> datetime | None:
    """A period bound: YYYY-MM-DD (UTC midnight), an RFC 3339 time, or 7d / 2w / 24h before now."""
    if value is None:
        return None
    relative = _RELATIVE.match(value.strip().lower())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now - {"h": timedelta(hours=amount), "d": timedelta(days=amount), "w": timedelta(weeks=amount)}[unit]
    return _time(value, option)


def _settings(project):
    from flowops.incidents.model import IncidentSettings

    return IncidentSettings.from_config(project.config)


def _report(ctx, project, outcome, mode: str, kind: str, message: str) -> None:
    for note in outcome.notes:
        warn(note)
    outcome.emit_all(cli_emitter(ctx, project))
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": kind, **outcome.to_dict(project.relpath)})
    else:
        write(message + "\n")


def _postmortem_line(project, outcome) -> str:
    document = outcome.postmortem_doc
    if document is None:
        return ""
    task = f" and task {outcome.postmortem_task.id}" if outcome.postmortem_task else ""
    return f"\nPostmortem: {document.id}{task}" + (f" ({project.relpath(document.path)})" if document.path else "")


# -- open ---------------------------------------------------------------------------------


@incident_group.command("open")
@click.argument("title")
@click.option("--alert", "alerts", multiple=True, metavar="NAME",
              help="The firing alert (repeatable): its runbook task and document are linked and its diagnosis quoted.")
@click.option("--severity", metavar="S",
              help="critical, warning, info, sev1... (sets the priority; decides whether a postmortem is due).")
@click.option("--feature", metavar="ID", help="The feature task affected (default: the parent of the alert's runbook task).")
@click.option("-a", "--assignee", "assignees", multiple=True, help="Who responds (repeatable).")
@_by_option
@output_options
@click.pass_context
def open_command(ctx, title, alerts, severity, feature, assignees, by, plain, as_json):
    """Open an incident by hand (it counts as acknowledged: the opener is responding)."""
    from flowops.cli.common import open_backlog, split_values
    from flowops.incidents.lifecycle import NewIncident, incidents_lock, open_incident

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    new = NewIncident(title=title, by=by or _default_author(), severity=severity, alerts=list(alerts), feature=feature,
                      assignees=split_values(assignees))
    with incidents_lock(backlog):
        outcome = open_incident(project, backlog, new)
    incident = outcome.subject
    _report(ctx, project, outcome, mode, "incident-open",
            f"Opened incident {incident.id}: {incident.title} [severity {incident.severity or 'unset'}]")


# -- Alertmanager -------------------------------------------------------------------------


@incident_group.command("from-alertmanager")
@click.argument("source", default="-", metavar="[FILE|-]")
@output_options
@click.pass_context
def from_alertmanager_command(ctx, source, plain, as_json):
    """Apply one Alertmanager webhook payload (version 4) from FILE or stdin.

    Firing alerts open one incident per alert group, or add to the group's open
    incident (a repeat notification appends to its timeline, never a second
    incident); a resolved notification records the resolution. A flowops CloudEvent
    carrying the payload as its data (what a hooks.yaml command handler reads on
    stdin) is accepted too. Bad payloads exit 2 naming each field.
    """
    from flowops.cli.common import open_backlog
    from flowops.incidents.alertmanager import parse_notification, read_stream
    from flowops.incidents.notifications import apply_notification

    mode = resolve_mode(plain, as_json)
    if source == "-":
        if sys.stdin.isatty():
            raise UsageError("reading the payload from stdin, but stdin is a terminal",
                             hint="flowops incident from-alertmanager payload.json, or pipe the payload in")
        data, shown = read_stream(sys.stdin.buffer, "stdin"), "stdin"
    else:
        shown = source
        try:
            with open(source, "rb") as handle:
                data = read_stream(handle, shown)
        except FileNotFoundError:
            raise UsageError(f"{shown}: file not found") from None
        except IsADirectoryError:
            raise UsageError(f"{shown}: is a folder, not a payload file") from None
        except OSError as exc:
            raise UsageError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    notification = parse_notification(data, shown)
    project, backlog = open_backlog()
    outcome = apply_notification(project, backlog, notification, _settings(project))
    if outcome.action == "ignored":
        message = "Nothing to do: " + (outcome.notes[-1] if outcome.notes else "resolved notification ignored")
        outcome.notes = outcome.notes[:-1]
    else:
        incident = outcome.subject
        verb = {"opened": "Opened", "updated": "Updated", "repeat": "Repeat notification recorded on",
                "resolved": "Resolved", "postmortem": "Resolved", "unchanged": "No change to"}.get(outcome.action, outcome.action)
        message = f"{verb} incident {incident.id}: {incident.title}" + _postmortem_line(project, outcome)
        if outcome.closed:
            message += f"\nClosed: severity {incident.severity or 'unset'} needs no postmortem"
    _report(ctx, project, outcome, mode, "incident-notification", message)


@incident_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=9095, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port).")
@click.option("--path", "url_path", default="/alertmanager", show_default=True, help="The URL path Alertmanager posts to.")
@click.option("--token-env", default="FLOWOPS_INCIDENT_TOKEN", show_default=True, metavar="VAR",
              help="Environment variable holding the bearer token to require.")
@click.option("--token-file", type=click.Path(dir_okay=False), metavar="PATH",
              help="File holding the bearer token (instead of the variable), e.g. a mounted secret.")
@click.option("--hmac-secret-env", default="FLOWOPS_INCIDENT_HMAC_SECRET", show_default=True, metavar="VAR",
              help="Environment variable holding an HMAC-SHA256 secret; X-Flowops-Signature-256 is then accepted.")
@click.pass_context
def serve_command(ctx, host, port, url_path, token_env, token_file, hmac_secret_env):
    """Receive Alertmanager webhook notifications over HTTP (POST only).

    Each notification goes through the same code as from-alertmanager, under the
    backlog's locks. A bearer token or HMAC secret is required unless the receiver
    listens on a loopback address (exit 2 otherwise). Bodies over 1 MiB get 413.
    Stop it with Ctrl-C or SIGTERM.
    """
    import signal

    from flowops.cli.common import open_backlog
    from flowops.cli.emitting import hooks_suppressed
    from flowops.incidents.receiver import (
        IncidentServer,
        ReceiverConfig,
        check_config,
        notification_processor,
    )

    token = _secret_from_file(token_file) if token_file else os.environ.get(token_env, "").strip() or None
    secret = os.environ.get(hmac_secret_env, "").strip() or None
    config = ReceiverConfig(host=host, port=port, path=url_path, token=token, hmac_secret=secret)
    check_config(config)
    project, _backlog = open_backlog()
    try:
        server = IncidentServer(config, notification_processor(project.root, no_hooks=hooks_suppressed(ctx)))
    except OSError as exc:
        raise StoreError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         hint="choose another --port, or stop what listens there") from None

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    click.echo(f"flowops incident serve: listening on {server.url} for {project.relpath(project.backlog_dir)} "
               f"(authentication: {config.describe_auth()})", err=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
    click.echo(f"flowops incident serve: stopped after {server.handled} notification(s)", err=True)


def _secret_from_file(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            value = handle.read(64 * 1024).decode("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--token-file {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if not value:
        raise UsageError(f"--token-file {path}: the file is empty")
    return value


# -- responding ---------------------------------------------------------------------------


@incident_group.command("note")
@click.argument("incident_id", metavar="ID")
@click.argument("text")
@_by_option
@click.option("--at", "at", metavar="TIME", help="When it happened, if not now (RFC 3339 or 'YYYY-MM-DD HH:MM', UTC).")
@output_options
@click.pass_context
def note_command(ctx, incident_id, text, by, at, plain, as_json):
    """Add a timestamped note to the timeline (the first note acknowledges the incident)."""
    from flowops.cli.common import open_backlog
    from flowops.incidents.lifecycle import add_note

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    outcome = add_note(backlog, incident_id, text, by=by or _default_author(), at=_time(at, "--at"))
    _report(ctx, project, outcome, mode, "incident-note", f"Noted on incident {outcome.subject.id}")


@incident_group.command("ack")
@click.argument("incident_id", metavar="ID")
@_by_option
@click.option("--at", "at", metavar="TIME", help="When you acknowledged it, if not now (RFC 3339 or 'YYYY-MM-DD HH:MM', UTC).")
@output_options
@click.pass_context
def ack_command(ctx, incident_id, by, at, plain, as_json):
    """Acknowledge an incident: you are on it (no change when someone already responded)."""
    from flowops.cli.common import open_backlog
    from flowops.incidents.lifecycle import acknowledge

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    outcome = acknowledge(backlog, incident_id, by=by or _default_author(), at=_time(at, "--at"))
    message = (f"Acknowledged incident {outcome.subject.id}" if outcome.action == "acknowledged"
               else f"No change: {outcome.notes[0] if outcome.notes else 'already acknowledged'}")
    if outcome.action != "acknowledged":
        outcome.notes = []
    _report(ctx, project, outcome, mode, "incident-ack", message)


@incident_group.command("resolve")
@click.argument("incident_id", metavar="ID")
@click.option("--at", "at", metavar="TIME", help="When it was resolved, if not now (RFC 3339 or 'YYYY-MM-DD HH:MM', UTC).")
@click.option("--summary", default="", help="One line on how it was resolved (goes into the timeline).")
@click.option("--postmortem", "force_postmortem", is_flag=True, help="Create a postmortem even if the severity needs none.")
@click.option("--no-postmortem", "no_postmortem", is_flag=True, help="Waive the postmortem (needs --reason; recorded).")
@click.option("--reason", metavar="TEXT", help="Why no postmortem is written (with --no-postmortem).")
@_by_option
@output_options
@click.pass_context
def resolve_command(ctx, incident_id, at, summary, force_postmortem, no_postmortem, reason, by, plain, as_json):
    """Record the resolution; create the postmortem document and task, or close the incident.

    A postmortem is due unless the severity is listed in
    incidents.no_postmortem_severities (default: warning, ticket, info) or it is waived with
    --no-postmortem --reason. Without one due, the incident is closed (Done) now.
    Running it again creates whatever is missing and changes nothing else.
    """
    from flowops.cli.common import open_backlog
    from flowops.incidents.lifecycle import Resolution, resolve

    if reason and not no_postmortem:
        raise UsageError("--reason is only used with --no-postmortem")
    if no_postmortem and not (reason or "").strip():
        raise UsageError("--no-postmortem needs --reason TEXT",
                         hint='e.g. --reason "false alarm: the probe targeted a retired host"')
    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    resolution = Resolution(by=by or _default_author(), at=_time(at, "--at"), summary=summary,
                            postmortem=True if force_postmortem else None, waive=reason if no_postmortem else None)
    outcome = resolve(project, backlog, incident_id, resolution, _settings(project))
    incident = outcome.subject
    first = f"Resolved incident {incident.id}" if outcome.action == "resolved" else f"Incident {incident.id} was resolved already"
    message = first + _postmortem_line(project, outcome)
    if outcome.postmortem_doc is not None:
        message += (f"\nNext: write the postmortem, then `flowops incident actions {incident.id}` to make its action items tasks")
    if outcome.closed:
        message += f"\nClosed ({incident.task.status}): no postmortem due"
    _report(ctx, project, outcome, mode, "incident-resolve", message)


@incident_group.command("actions")
@click.argument("incident_id", metavar="ID")
@click.option("--dry-run", is_flag=True, help="Show the action items and their tasks; create nothing.")
@output_options
@click.pass_context
def actions_command(ctx, incident_id, dry_run, plain, as_json):
    """Turn each action item of the postmortem into a task (labelled ops:action-item, under the incident).

    Items already tracked (their line names the task, or a task has their title) are
    left alone; each new task's id is added to its item in the document.
    """
    from flowops.cli.common import open_backlog
    from flowops.incidents.lifecycle import create_action_items

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    result, outcome = create_action_items(project, backlog, incident_id, dry_run=dry_run)
    outcome.emit_all(cli_emitter(ctx, project))
    if mode == "json":
        print_json({
            "schemaVersion": 1,
            "kind": "incident-actions",
            "incident": outcome.subject.id,
            "doc_id": result.document.id,
            "dry_run": dry_run,
            "items": [
                {"line": item.line, "text": item.text, "owner": item.owner, "due": item.due,
                 "task_id": task.id if task else None, "created": created}
                for item, task, created in result.items
            ],
        })
        return
    if not result.items:
        write(f"No action items listed in {result.document.id} yet (its Action items section holds only skeleton)\n")
        return
    lines = []
    for item, task, created in result.items:
        state = ("created " if created else "") + (task.id if task else ("would create" if dry_run else "no task"))
        lines.append(f"{state:<16} {item.title(80)}")
    created_count = sum(1 for _i, _t, created in result.items if created)
    lines.append(f"{created_count} created, {len(result.items) - created_count} already tracked" if not dry_run
                 else f"{sum(1 for _i, t, _c in result.items if t is None)} would be created")
    write("\n".join(lines) + "\n")


# -- reading ------------------------------------------------------------------------------


@incident_group.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice(["triggered", "acknowledged", "resolved", "closed"]),
              help="Only incidents in this state (repeatable).")
@click.option("--severity", help="Only incidents of this severity.")
@click.option("--since", metavar="DATE", help="Only incidents opened since DATE (YYYY-MM-DD, RFC 3339, or 7d / 2w / 24h ago).")
@click.option("--all", "show_all", is_flag=True, help="Closed incidents too (default: only those not closed).")
@output_options
def list_command(states, severity, since, show_all, plain, as_json):
    """List incidents with their state, timings and where their postmortem stands."""
    from flowops.cli.common import open_backlog
    from flowops.incidents.gate import postmortem_status
    from flowops.incidents.lookup import Children, load_incidents

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    settings = _settings(project)
    start = _since(since, "--since", datetime.now(UTC))
    families: dict[str, Children] = {}
    found = load_incidents(backlog, families=families)
    for note in found.warnings:
        warn(note)
    chosen = [incident for incident in found.incidents if _wanted(incident, states, severity, start, show_all)]
    documents = None
    if chosen:
        from flowops.backlog.documents import Documents

        documents, _bad = Documents(backlog).list()
    rows = []
    for incident in chosen:
        family = families.get(incident.id.upper(), Children())
        status = postmortem_status(backlog, incident, settings, documents=documents, family=family)
        done = backlog.config.done_status.lower()
        open_actions = [t for t in family.actions if t.status.lower() != done and t.folder != "completed"]
        rows.append((incident, status, family.actions, open_actions))
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "incident-list", "incidents": [
            incident.to_dict(project.relpath) | {"postmortem": status, "action_items": {
                "total": len(actions), "open": len(open_actions)}}
            for incident, status, actions, open_actions in rows
        ]})
        return
    if not rows:
        write("No incidents" + ("" if show_all or states else " open (--all shows closed ones too)") + ".\n")
        return
    if mode == "rich":
        _list_rich(rows)
        return
    out = []
    for incident, status, actions, open_actions in rows:
        opened = incident.opened_at
        actions_text = f", action items {len(actions) - len(open_actions)}/{len(actions)} done" if actions else ""
        out.append(f"{incident.id} [{incident.state}] [{incident.severity or 'unset'}] {incident.title}")
        out.append(f"  opened {_at(opened)} ({incident.source}), acknowledged {_after(opened, incident.acknowledged_at)}, "
                   f"resolved {_after(opened, incident.resolved_at)}; postmortem: {status['state']}{actions_text}")
    write("\n".join(out) + "\n")


def _wanted(incident, states, severity, start, show_all) -> bool:
    from flowops.incidents.model import normalize_severity

    if states and incident.state not in states:
        return False
    if not states and not show_all and incident.state == "closed":
        return False
    if severity and (incident.severity or "unset") != normalize_severity(severity):
        return False
    opened = incident.opened_at
    return start is None or (opened is not None and opened >= start)


def _at(moment) -> str:
    from flowops.incidents.timeline import format_time

    return format_time(moment) if moment else "-"


def _after(opened, moment) -> str:
    from flowops.incidents.timeline import duration_text

    if moment is None:
        return "not yet"
    return f"after {duration_text(moment - opened)}" if opened else _at(moment)


def _list_rich(rows) -> None:
    from rich.markup import escape
    from rich.table import Table

    from flowops.cli.output import console

    table = Table(box=None, show_edge=False)
    for column in ("id", "state", "severity", "title", "opened", "ack", "resolved", "postmortem", "actions"):
        table.add_column(column)
    for incident, status, actions, open_actions in rows:
        opened = incident.opened_at
        table.add_row(
            incident.id, incident.state, incident.severity or "unset", escape(incident.title), _at(opened),
            _after(opened, incident.acknowledged_at), _after(opened, incident.resolved_at), status["state"],
            f"{len(actions) - len(open_actions)}/{len(actions)}" if actions else "-",
        )
    console().print(table)


@incident_group.command("show")
@click.argument("incident_id", metavar="ID")
@output_options
def show_command(incident_id, plain, as_json):
    """Show an incident: timings, runbook, timeline, postmortem and action items.

    Backlog.md's own views do not show the Timeline section (they keep it intact);
    this does.
    """
    from flowops.cli.common import open_backlog
    from flowops.incidents.gate import postmortem_status
    from flowops.incidents.lookup import children, get_incident

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    incident = get_incident(backlog, incident_id)
    family = children(backlog, incident.task)
    status = postmortem_status(backlog, incident, _settings(project), family=family)
    actions = [{"id": t.id, "title": t.title, "status": t.status, "assignees": list(t.assignees), "due_date": t.due_date}
               for t in family.actions]
    timeline = sorted(incident.entries, key=lambda entry: entry.at)  # notes written with --at land in place
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "incident-show", "incident": incident.to_dict(project.relpath) | {
            "timeline": [entry.to_dict() for entry in timeline], "postmortem": status, "action_items": actions}})
        return
    opened = incident.opened_at
    lines = [
        f"{incident.id} {incident.title}",
        f"State: {incident.state} (status {incident.task.status}); severity {incident.severity or 'unset'}; "
        f"priority {incident.task.priority or '-'}",
        f"Opened {_at(opened)} ({incident.source}); acknowledged {_after(opened, incident.acknowledged_at)}; "
        f"resolved {_after(opened, incident.resolved_at)}",
    ]
    if incident.alerts:
        lines.append("Alerts: " + ", ".join(incident.alerts))
    if incident.task.documentation:
        lines.append("Documents: " + ", ".join(incident.task.documentation))
    lines += ["", "Timeline:"]
    lines += [entry.render() for entry in timeline] or ["(no entries)"]
    lines += ["", f"Postmortem: {status['state']}" + (f" ({status['doc_id']}, {status['path']})" if status["doc_id"] else "")]
    if status["waived"]:
        lines.append(f"  {status['waived']}")
    lines += [f"  - {problem}" for problem in status["problems"]]
    if actions:
        lines += ["", "Action items:"]
        lines += [f"  {a['id']} [{a['status']}] {a['title']}" + (f" (due {a['due_date']})" if a["due_date"] else "")
                  for a in actions]
    write("\n".join(lines) + "\n")


@incident_group.command("stats")
@click.option("--since", metavar="DATE", help="Incidents opened since DATE (YYYY-MM-DD, RFC 3339, or 7d / 2w / 24h ago).")
@click.option("--until", metavar="DATE", help="... and before DATE (same forms).")
@output_options
def stats_command(since, until, plain, as_json):
    """The weekly review's numbers: incidents by severity, time to acknowledge and to resolve
    (median and p90), postmortems due and finished, open action items.

    Acknowledged means the first timeline entry a person made (docs/incidents.md).
    """
    from flowops.cli.common import open_backlog
    from flowops.incidents.gate import postmortem_problems
    from flowops.incidents.lookup import Children, load_incidents
    from flowops.incidents.stats import compute_stats

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    now = datetime.now(UTC)
    start, end = _since(since, "--since", now), _since(until, "--until", now)
    if start and end and end <= start:
        raise UsageError(f"--until ({until}) must be after --since ({since})")
    families: dict[str, Children] = {}
    found = load_incidents(backlog, families=families)
    for note in found.warnings:
        warn(note)
    actions = [task for family in families.values() for task in family.actions]
    cache: dict = {}

    def finished(incident) -> bool:
        if "documents" not in cache:
            from flowops.backlog.documents import Documents

            cache["documents"] = Documents(backlog).list()[0]
        family = families.get(incident.id.upper(), Children())
        return not postmortem_problems(backlog, incident.id, documents=cache["documents"], family=family)

    stats = compute_stats(found.incidents, actions, _settings(project), since=start, until=end,
                          done_status=backlog.config.done_status, postmortem_finished=finished)
    data = stats.to_dict()
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "incident-stats", **data})
        return
    write(_stats_text(data) + "\n")


def _stats_text(data: dict) -> str:
    from flowops.incidents.timeline import duration_text

    def span(value) -> str:
        return duration_text(timedelta(seconds=value)) if value is not None else "-"

    period = f"{data['since'] or 'the beginning'} to {data['until'] or 'now'}"
    lines = [f"Incidents opened from {period}: {data['incidents']}"]
    if data["incidents"]:
        lines.append("  by severity: " + ", ".join(f"{k} {v}" for k, v in data["by_severity"].items()))
        lines.append("  by state: " + ", ".join(f"{k} {v}" for k, v in data["by_state"].items()))
        if data["top_alerts"]:
            lines.append("  top alerts: " + ", ".join(f"{a['alert']} {a['incidents']}" for a in data["top_alerts"]))
    for label, key in (("Time to acknowledge", "time_to_acknowledge"), ("Time to resolve", "time_to_resolve")):
        figures = data[key]
        missing = f", {figures['missing']} not yet" if figures["missing"] else ""
        lines.append(f"{label}: median {span(figures['median_seconds'])}, p90 {span(figures['p90_seconds'])} "
                     f"({figures['count']} incidents{missing})")
    pm = data["postmortems"]
    lines.append(f"Postmortems: {pm['finished']} of {pm['due']} due finished, {pm['missing']} missing, {pm['waived']} waived")
    items = data["action_items"]
    lines.append(f"Action items: {items['open']} open of {items['total']}, {items['overdue']} overdue")
    for item in items["open_items"]:
        due = f" due {item['due_date']}" if item["due_date"] else ""
        owner = f" {', '.join(item['assignees'])}" if item["assignees"] else ""
        lines.append(f"  {item['id']} [{item['status']}]{owner}{due} {item['title']}")
    return "\n".join(lines)
