"""``flowops git hook-run``: turn one git hook call into one event, and never fail git.

Whatever goes wrong (no git, a broken hooks.yaml, a failing handler) ends up as a line
for stderr and, when there is a project to log to, a record in its audit log; nothing
raises.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowops.gitops import payload
from flowops.gitops.payload import HOOK_EVENTS, EventFields
from flowops.gitops.repo import open_repo

if TYPE_CHECKING:
    from flowops.project import Project


@dataclass
class HookRunOutcome:
    """The event sent (if any), the bus report, and the lines to show on stderr."""

    hook_type: str
    event_type: str | None
    report: Any = None
    messages: list[str] = field(default_factory=list)


def collect_fields(hook_type: str, args: Sequence[str], stdin_text: str, cwd: str | os.PathLike) -> EventFields:
    """The event fields for ``hook_type`` called with git's ``args`` (and pre-push's stdin)."""
    repo = open_repo(cwd)
    arg = [*args, None, None, None]
    if hook_type == "post-commit":
        return payload.commit_fields(repo)
    if hook_type == "post-merge":
        return payload.merge_fields(repo, arg[0])
    if hook_type == "post-checkout":
        return payload.checkout_fields(repo, arg[0], arg[1], arg[2])
    return payload.push_fields(repo, arg[0], arg[1], stdin_text)


DEFAULT_BUDGET = 2.0  # seconds a hook may hold git; `git.hook_budget`, FLOWOPS_GIT_HOOK_BUDGET
BUDGET_ENV = "FLOWOPS_GIT_HOOK_BUDGET"


def run_hook(
    hook_type: str,
    args: Sequence[str] = (),
    *,
    stdin_text: str = "",
    cwd: str | os.PathLike | None = None,
    no_hooks: bool = False,
    budget: float | None = None,
) -> HookRunOutcome:
    """Collect the facts for ``hook_type``, emit its event, and turn every problem into a message.

    The work runs in a detached process (flowops.gitops.background) that git waits for
    ``budget`` seconds at most (default: the ``git.hook_budget`` setting, 2 s); deliveries
    that take longer finish in the background, recorded in the audit log as always.
    Never raises (short of KeyboardInterrupt): a git hook must not fail because of flowops.
    """
    where = cwd or os.getcwd()
    event_type = HOOK_EVENTS.get(hook_type)
    outcome = HookRunOutcome(hook_type, event_type)
    if event_type is None:
        outcome.messages.append(f"unknown hook type {hook_type!r} (flowops handles {', '.join(HOOK_EVENTS)}); nothing reported")
        return outcome

    def work() -> list[str]:
        return _report(outcome, args, stdin_text, where, no_hooks).messages

    seconds = budget if budget is not None else hook_budget(where)
    try:
        from flowops.gitops.background import run_detached

        messages, worker = run_detached(work, seconds)
    except OSError:
        return _report(outcome, args, stdin_text, where, no_hooks)  # no process to spare: do it here
    if messages is not None:
        outcome.messages.extend(messages)
    else:
        where_to_look = f" (pid {worker})" if worker else ""
        outcome.messages.append(
            f"{event_type}: still delivering after {seconds:g} s; it goes on in the background{where_to_look} "
            "and its results go to the audit log (`flowops hooks log`)"
        )
    return outcome


def hook_budget(where: str | os.PathLike) -> float:
    """Seconds a git hook may hold git: FLOWOPS_GIT_HOOK_BUDGET, else ``git.hook_budget``, else 2."""
    raw = os.environ.get(BUDGET_ENV)
    if raw:
        try:
            return min(max(float(raw), 0.1), 60.0)
        except ValueError:
            pass
    try:
        from flowops.project import find_project

        value = find_project(where).config.get("git.hook_budget")
        return float(value) if value is not None else DEFAULT_BUDGET
    except Exception:  # noqa: BLE001 - a broken config is reported by the work itself
        return DEFAULT_BUDGET


def _report(outcome: HookRunOutcome, args: Sequence[str], stdin_text: str, where: str | os.PathLike, no_hooks: bool) -> HookRunOutcome:
    """Record the event and deliver it (the work a hook call does); every problem becomes a message."""
    hook_type, event_type = outcome.hook_type, outcome.event_type
    assert event_type is not None
    project = None
    log_size = 0
    try:
        # Facts first: outside a repository there is no project whose log could take the error.
        fields = collect_fields(hook_type, args, stdin_text, where)
        from flowops.events.bus import emit
        from flowops.project import find_project

        project = find_project(where)
        log_size = _log_size(project)
        outcome.report = emit(project, event_type, task_id=fields.task_id, files=fields.files, data=fields.data, no_hooks=no_hooks)
    except Exception as exc:  # noqa: BLE001 - the one place where anything must be caught
        reason = _one_line(exc)
        if project is None:
            outcome.messages.append(f"{event_type} not recorded: {reason}")
        else:
            outcome.messages.append(_record_failure(project, log_size, event_type, hook_type, reason))
        return outcome
    outcome.messages.extend(str(warning) for warning in outcome.report.warnings)
    outcome.messages.extend(f"{event_type}: handler {result.summary()}" for result in outcome.report.failed)
    return outcome


def _one_line(error: Any) -> str:
    # The first line says what went wrong; hints and problem lists would flood a git hook.
    return (str(error).strip() or type(error).__name__).splitlines()[0]


def _log_size(project: Project) -> int:
    from flowops.events.audit import complete_size

    try:
        return complete_size(project)
    except OSError:
        return 0


def _record_failure(project: Project, log_size: int, event_type: str, hook_type: str, reason: str) -> str:
    """Make sure the failure is in the audit log; return the stderr line that says what happened."""
    what = f"{event_type} not recorded"
    try:
        from flowops.events import audit

        recorded, error_logged = _logged_since(audit.log_path(project), log_size, event_type)
        if recorded:
            what = f"{event_type} recorded but not delivered"
        if not error_logged:
            audit.append(project, [{"kind": "error", "type": event_type, "origin": f"git {hook_type} hook", "error": reason}])
    except Exception as exc:  # noqa: BLE001 - the log may be the broken part
        return f"{what}: {reason} (and not logged: {_one_line(exc)})"
    return f"{what}: {reason} (see {audit.shown_path(project)})"


def _logged_since(path: Any, offset: int, event_type: str) -> tuple[bool, bool]:
    """(an event record, an error record) of ``event_type`` appended after ``offset``.

    The bus records the event before it reads hooks.yaml, and records a broken hooks.yaml
    itself; the hook must neither claim the event was lost nor log the error twice.
    """
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            lines = handle.read().splitlines()
    except OSError:
        return False, False
    event = error = False
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if record.get("kind") == "event" and (record.get("event") or {}).get("type") == event_type:
            event = True
        elif record.get("kind") == "error" and record.get("type") == event_type:
            error = True
    return event, error
