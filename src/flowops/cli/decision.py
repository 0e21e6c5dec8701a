"""``flowops decision ...``: Backlog.md decision records."""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog
from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write


def _json(decision, project) -> dict:
    from flowops.backlog.views import iso_stamp

    return {"id": decision.id, "title": decision.title, "status": decision.status, "date": iso_stamp(decision.date),
            "path": project.relpath(decision.file) if decision.path else None}


@click.group("decision", cls=HelpGroup)
def decision_group() -> None:
    """Decision records in backlog/decisions/ (as Backlog.md writes them)."""


@decision_group.command("list")
@output_options
def decision_list(plain, as_json):
    """List decisions."""
    from flowops.backlog.decisions import Decisions

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    decisions, bad = Decisions(backlog).list()
    for path, reason in bad:
        warn(f"{project.relpath(path)}: {reason}")
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "decision-list", "decisions": [_json(d, project) for d in decisions]})
    elif not decisions:
        write("No decisions found.\n")
    else:
        write("".join(f"{d.id} - {d.title} ({d.status})\n" for d in decisions))


@decision_group.command("view")
@click.argument("decision_id")
@output_options
def decision_view(decision_id, plain, as_json):
    """Show a decision."""
    from flowops.backlog.decisions import Decisions

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    decision = Decisions(backlog).get(decision_id)
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "decision-view", "decision": _json(decision, project) | {"body": decision.body}})
    else:
        write(decision.file.read_text(encoding="utf-8"))


@decision_group.command("create")
@click.argument("title")
@click.option("-s", "--status", default="proposed", show_default=True, help="Decision status (free-form).")
@output_options
def decision_create(title, status, plain, as_json):
    """Create a decision record with empty Context, Decision and Consequences sections."""
    from flowops.backlog.decisions import Decisions

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    decision = Decisions(backlog).create(title, status=status)
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "decision-create", "decision": _json(decision, project)})
    else:
        write(f"Created decision {decision.id}\nPath: {project.relpath(decision.file)}\n")
