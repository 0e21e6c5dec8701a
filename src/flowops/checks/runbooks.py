"""The ``ops.runbooks`` check: every alert has its runbook task under the feature and a written runbook.

"Written" is judged against the skeleton flowops generated for the alert
(``flowops.ops.runbooks.runbook_fill``): a prompt left in place, with or without its
``TODO(runbook)`` marker, and an empty section are evidence of a runbook nobody wrote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowops.checks.arguments import parse_arguments, repository_paths, restrict
from flowops.checks.model import Check, CheckContext, CheckResult, Evidence, counted, errored, failed, nothing_found, verdict

if TYPE_CHECKING:
    from flowops.backlog.model import Task
    from flowops.backlog.store import Backlog

USAGE = "ops.runbooks [PATH...]"
_PER_DOCUMENT = 5  # evidence lines per unwritten document; the rest are counted


def _paths(args: list[str]) -> list[str]:
    return repository_paths("ops.runbooks", parse_arguments("ops.runbooks", args).positional)


def validate(args: list[str]) -> None:
    _paths(args)


def feature_of(backlog: Backlog, task: Task) -> Task:
    """The feature a task belongs to: its parent when it is an operations task (``ops:`` label), else itself."""
    from flowops.ops.operate import key_labels

    if key_labels(task) and task.parent_task_id:
        try:
            return backlog.get(task.parent_task_id)
        except Exception:  # a parent that cannot be read: judge the task itself
            return task
    return task


def check_runbooks(ctx: CheckContext, args: list[str]) -> CheckResult:
    from flowops.errors import ConfigError
    from flowops.ops.alerts import group_rules
    from flowops.ops.operate import find_inventory
    from flowops.ops.runbooks import runbook_fill

    paths = _paths(args)
    try:
        found = runbook_alert_rules(ctx)
    except ConfigError as exc:
        return failed(exc.message, [Evidence(p.path, p.line, p.message) for p in exc.problems]
                      or [Evidence(exc.path, exc.line, exc.message)])
    rules = restrict(found, paths, lambda a: a.source)
    if not rules:
        return nothing_found("alerting rules" + (f" under {', '.join(paths)}" if paths else ""))
    try:
        alerts = group_rules(rules)  # a warning/critical pair of one name shares one runbook
    except ConfigError as exc:
        return failed(exc.message, [Evidence(exc.path, exc.line, exc.message)])
    if ctx.backlog is None or ctx.task is None:
        return errored("ops.runbooks judges a feature's runbooks: bind it to a criterion of the feature or of one of "
                       "its operations tasks")
    feature = feature_of(ctx.backlog, ctx.task)
    work = find_inventory(ctx.backlog, feature)
    problems: list[Evidence] = []
    for alert in alerts:
        task = work.task_for(alert.key)
        if task is None:
            problems.append(Evidence(alert.source, alert.line,
                                     f"alert {alert.name}: no runbook task ({alert.label}) under {feature.id}; "
                                     f"run `flowops operate {feature.id}`"))
        document = work.document_for(alert.label, task)
        if document is None:
            problems.append(Evidence(alert.source, alert.line,
                                     f"alert {alert.name}: no runbook document carries {alert.label}"))
            continue
        where = ctx.backlog.relpath(document.path) if document.path else document.id
        gaps = runbook_fill(document.body, alert).problems()
        for line, what in gaps[:_PER_DOCUMENT]:
            problems.append(Evidence(where, _body_line(document, line), f"runbook {document.id} for {alert.name}: {what}"))
        if len(gaps) > _PER_DOCUMENT:
            next_line = _body_line(document, gaps[_PER_DOCUMENT][0])
            problems.append(Evidence(where, next_line, f"runbook {document.id} for {alert.name}: "
                                                       f"{len(gaps) - _PER_DOCUMENT} more unwritten places from here on"))
    return verdict(problems, f"{counted(len(alerts), 'alert')} with a runbook task under {feature.id} and a written runbook",
                   "{count} missing or unwritten runbook part{s}")


def runbook_alert_rules(ctx: CheckContext) -> list[Any]:
    """The alerting rules runbooks are made for: the discovered ones, with the SLO specs' alerts standing in
    for the rules generated from them (as ``flowops operate`` makes them)."""
    from flowops.slo.workflow import read_slo_inputs, runbook_rules

    inventory = ctx.inventory()
    inputs = read_slo_inputs(ctx.project, ctx.inventory) if ctx.project is not None else None
    return runbook_rules(inventory.alerts, {s.path: s.generated for s in inventory.rule_sources}, inputs)


def _body_line(document: Any, line: int | None) -> int | None:
    """A line of the document's body as a line of its file (the frontmatter comes first)."""
    if line is None or document.path is None:
        return line
    from flowops.backlog.taskfile import TaskParseError, read_backlog_file

    try:
        text = read_backlog_file(document.path).decode("utf-8")
    except (OSError, TaskParseError, UnicodeDecodeError):
        return line
    offset = text.count("\n", 0, max(0, len(text) - len(document.body))) if text.endswith(document.body) else 0
    return line + offset


CHECK = Check("ops.runbooks", "every discovered alert has a runbook task under the feature and a runbook document "
              "with no skeleton left", check_runbooks, USAGE, validate, scope="task",
              reads="alerting rules, the feature's runbook tasks and runbook documents in backlog/docs/")
