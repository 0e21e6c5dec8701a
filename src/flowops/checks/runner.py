"""Running bound checks: looked up by name, isolated, timed, and run once per distinct question.

A ``Runner`` serves one verification (one ``ac verify``, one gate): every check shares
one discovery of the repository, and a check bound to many criteria with the same
arguments runs once (once per task for checks whose answer depends on the task).
Whatever a check does wrong (an unknown name, bad arguments, an exception, a wrong
return value) becomes an ``error`` result naming the check and the plugin; it never
stops the other checks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowops.checks.binding import Binding
from flowops.checks.model import ERROR, STATUSES, Check, CheckContext, CheckResult, CheckUsageError, errored

if TYPE_CHECKING:
    from flowops.backlog.model import Task
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins
    from flowops.project import Project


@dataclass
class Outcome:
    """A check's result for one binding, and how long it took (0 when it came from the run's cache)."""

    result: CheckResult
    duration_ms: int
    plugin: str | None = None


@dataclass
class Runner:
    """Runs bindings against one ``context``; ``checks`` maps name -> (plugin, Check)."""

    context: CheckContext
    checks: dict[str, tuple[str, Check]]
    plugins: Plugins | None = None
    _cache: dict[tuple, Outcome] = field(default_factory=dict)

    def check(self, name: str) -> Check | None:
        entry = self.checks.get(name)
        return entry[1] if entry else None

    def run(self, binding: Binding, task: Task | None = None) -> Outcome:
        entry = self.checks.get(binding.name)
        if entry is None:
            known = ", ".join(sorted(self.checks)) or "none"
            return Outcome(errored(f"unknown check '{binding.name}' (known: {known})"), 0)
        plugin, check = entry
        key = (binding.words, getattr(task, "id", None) if check.scope == "task" else None)
        cached = self._cache.get(key)
        if cached is not None:
            return Outcome(cached.result, 0, plugin)
        started = time.perf_counter()
        result = self._call(plugin, check, binding, task)
        outcome = Outcome(result, int(round((time.perf_counter() - started) * 1000)), plugin)
        self._cache[key] = outcome
        return outcome

    def _call(self, plugin: str, check: Check, binding: Binding, task: Any) -> CheckResult:
        context = self.context.for_task(task) if task is not None else self.context
        try:
            result = check.run(context, binding.args)
        except CheckUsageError as exc:
            return errored(str(exc))
        except Exception as exc:  # a broken check must not take the verification down
            from flowops.plugins import PluginFailure, _error_text

            if self.plugins is not None:
                self.plugins.failures.append(PluginFailure(plugin, _error_text(exc), "register_checks"))
            return errored(f"check '{check.name}' (plugin '{plugin}') failed: {_error_text(exc)}")
        if not isinstance(result, CheckResult) or result.status not in STATUSES:
            return CheckResult(ERROR, f"check '{check.name}' (plugin '{plugin}') returned {result!r}, "
                                      "expected a CheckResult with status pass, fail, skipped or error")
        return result

    def validate(self, binding: Binding) -> str | None:
        """Why ``binding`` cannot run (unknown check, bad arguments), or None."""
        check = self.check(binding.name)
        if check is None:
            known = ", ".join(sorted(self.checks)) or "none"
            return f"unknown check '{binding.name}' (known: {known})"
        if check.validate is not None:
            try:
                check.validate(binding.args)
            except CheckUsageError as exc:
                return str(exc)
        return None


def make_runner(project: Project, backlog: Backlog, plugins: Plugins) -> Runner:
    """A Runner for a flowops project: its checks, its discovery (backlog skipped, ``[discover]`` globs)."""
    from flowops.checks.registry import collect_checks
    from flowops.discovery.inventory import discover_project

    context = CheckContext(project.root, project, backlog, discover=lambda: discover_project(project, backlog))
    return Runner(context, collect_checks(plugins), plugins)
