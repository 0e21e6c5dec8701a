"""What a check is, what it is given and what it returns.

A check answers one question about the repository ("does every container set CPU and
memory limits?") with a status and the evidence for it. Evidence names the file, the
line and the object, as kube-score and kube-linter do, so a reader can go straight to
the offending place: ``k8s/app.yaml:31 Deployment/checkout container api: no readinessProbe``.

Statuses: ``pass``; ``fail``; ``skipped`` when the check could not run (a tool such as
promtool is missing: never counted as a pass); ``error`` when the check itself broke
(bad arguments, an exception). A check with nothing to inspect fails: the absence of
evidence is not evidence.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowops.backlog.model import Task
    from flowops.backlog.store import Backlog
    from flowops.discovery.inventory import Inventory
    from flowops.project import Project

PASS = "pass"
FAIL = "fail"
SKIPPED = "skipped"
ERROR = "error"
MANUAL = "manual"  # a criterion without a check: a person decides
STATUSES = (PASS, FAIL, SKIPPED, ERROR)
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class Evidence:
    """One fact a check found: where (``path``, 1-based ``line``; either may be None) and what."""

    path: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where} {self.message}"

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass
class CheckResult:
    """A check's verdict: ``status``, a one-line ``summary`` and the ``evidence`` behind it."""

    status: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def to_dict(self) -> dict:
        return {"status": self.status, "summary": self.summary, "evidence": [e.to_dict() for e in self.evidence]}


def passed(summary: str, evidence: Iterable[Evidence] = ()) -> CheckResult:
    return CheckResult(PASS, summary, list(evidence))


def failed(summary: str, evidence: Iterable[Evidence] = ()) -> CheckResult:
    return CheckResult(FAIL, summary, list(evidence))


def skipped(reason: str, evidence: Iterable[Evidence] = ()) -> CheckResult:
    return CheckResult(SKIPPED, reason, list(evidence))


def errored(reason: str, evidence: Iterable[Evidence] = ()) -> CheckResult:
    return CheckResult(ERROR, reason, list(evidence))


def nothing_found(what: str) -> CheckResult:
    """The verdict for a check with nothing to inspect: a failure naming what is missing."""
    return failed(f"no {what} found", [Evidence(None, None, f"no {what} found: absence of evidence is not a pass")])


def verdict(problems: list[Evidence], ok: str, bad: str) -> CheckResult:
    """``fail`` with ``problems`` when there are any, else ``pass`` with ``ok``.

    ``bad`` may use ``{count}`` (the number of problems) and ``{s}`` (a plural ``s``).
    Problems are listed in file order (those without a file first), as linters do.
    """
    if problems:
        ordered = sorted(problems, key=lambda e: (e.path is not None, e.path or "", e.line or 0))
        return failed(bad.format(count=len(problems), s="" if len(problems) == 1 else "s"), ordered)
    return passed(ok)


def counted(number: int, noun: str) -> str:
    """``counted(1, "container")`` -> "1 container"; ``counted(3, "container")`` -> "3 containers"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


class CheckUsageError(Exception):
    """A check was bound with arguments it does not accept (the result is ``error``)."""


@dataclass
class CheckContext:
    """What a check may look at: the repository, its inventory, the task being verified.

    ``inventory()`` runs discovery once per context and is shared by every check run
    with it. ``task`` is the task whose criterion is verified (None outside a task).
    """

    root: Path
    project: Project | None = None
    backlog: Backlog | None = None
    task: Task | None = None
    timeout: float = DEFAULT_TIMEOUT
    discover: Callable[[], Inventory] | None = None
    _inventory: Inventory | None = field(default=None, repr=False)

    def inventory(self) -> Inventory:
        if self._inventory is None:
            if self.discover is not None:
                self._inventory = self.discover()
            else:
                from flowops.discovery.inventory import discover

                self._inventory = discover(self.root)
        return self._inventory

    def for_task(self, task: Task | None) -> CheckContext:
        """The same context (same inventory) for another task."""
        other = CheckContext(self.root, self.project, self.backlog, task, self.timeout, self.discover, self._inventory)
        if self._inventory is None:
            # Share the inventory once it is built, whichever context builds it first.
            other.discover = self.inventory
        return other

    def which(self, program: str) -> str | None:
        """Where ``program`` is on PATH (None when it is not installed)."""
        return shutil.which(program)


@dataclass(frozen=True)
class Check:
    """A named check, contributed through the ``register_checks`` hook.

    ``run(context, args)`` returns a CheckResult (raise CheckUsageError for bad
    arguments). ``usage`` shows the arguments (``k8s.hpa [--min N] [PATH...]``);
    ``validate(args)``, when given, raises CheckUsageError so that ``flowops ac bind``
    refuses a bad binding before it is written. ``scope`` is ``repository`` when the
    result depends only on the repository, ``task`` when it also depends on the task
    being verified. ``runs_programs`` marks checks that start other programs.
    """

    name: str
    summary: str
    run: Callable[[CheckContext, list[str]], CheckResult]
    usage: str = ""
    validate: Callable[[list[str]], None] | None = None
    scope: str = "repository"
    runs_programs: bool = False
    reads: str = ""  # what it inspects, for `flowops ac checks` and the docs
