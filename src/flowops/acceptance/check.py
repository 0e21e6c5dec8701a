"""Acceptance criteria across tasks: which are still unchecked, and which are too vague to check.

``unchecked`` serves ``flowops ac check`` (exit 3 while any is open); ``lint_tasks``
serves ``flowops ac lint`` and runs every ``lint_criterion`` rule once per distinct
criterion text: playbook criteria repeat across features, and in a big backlog the
same wording comes back often.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flowops.acceptance.lint import Finding, lint_text
from flowops.backlog.model import Task

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins


@dataclass(frozen=True)
class TaskCriteria:
    """One task's acceptance criteria as (number, text, checked)."""

    task_id: str
    title: str
    criteria: tuple[tuple[int, str, bool], ...]

    @property
    def unchecked(self) -> list[tuple[int, str]]:
        return [(number, text) for number, text, checked in self.criteria if not checked]

    def to_dict(self) -> dict:
        return {
            "id": self.task_id,
            "title": self.title,
            "checked": len(self.criteria) - len(self.unchecked),
            "total": len(self.criteria),
            "unchecked": [{"number": number, "text": text} for number, text in self.unchecked],
        }


@dataclass
class CheckReport:
    tasks: list[TaskCriteria]

    @property
    def unchecked_count(self) -> int:
        return sum(len(task.unchecked) for task in self.tasks)

    @property
    def all_checked(self) -> bool:
        return self.unchecked_count == 0

    def to_dict(self) -> dict:
        return {"all_checked": self.all_checked, "unchecked": self.unchecked_count, "tasks": [t.to_dict() for t in self.tasks]}


def task_criteria(task: Task) -> TaskCriteria:
    return TaskCriteria(task.id, task.title, tuple((c.index, c.text, c.checked) for c in task.acceptance_criteria))


def check_criteria(backlog: Backlog, task_id: str, *, recursive: bool = False) -> CheckReport:
    """The criteria of ``task_id`` (and, with ``recursive``, of all its subtasks, depth first)."""
    root = backlog.get(task_id)
    tasks = [root]
    if recursive:
        tasks += descendants(backlog, root)
    return CheckReport([task_criteria(task) for task in tasks])


def descendants(backlog: Backlog, task: Task) -> list[Task]:
    """Every subtask of ``task``, its subtasks' subtasks and so on, depth first in id order."""
    found: list[Task] = []
    seen = {task.id}

    def visit(parent: Task) -> None:
        for child in backlog.subtasks(parent):
            if child.id not in seen:  # a hand-edited parent cycle must not loop forever
                seen.add(child.id)
                found.append(child)
                visit(child)

    visit(task)
    return found


@dataclass(frozen=True)
class LintHit:
    """One finding about one criterion of one task."""

    task_id: str
    title: str
    number: int
    text: str
    finding: Finding

    def to_dict(self) -> dict:
        # Spelled out rather than Finding.to_dict(): dataclasses.asdict costs ~40 us a call,
        # which adds up to half a second for `ac lint --all --json` on a big backlog.
        finding = self.finding
        return {"task_id": self.task_id, "title": self.title, "criterion": self.number, "text": self.text,
                "rule": finding.rule, "message": finding.message, "suggestion": finding.suggestion}


@dataclass
class LintReport:
    tasks: int = 0
    criteria: int = 0
    hits: list[LintHit] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        """How many criteria have at least one finding."""
        return len({(hit.task_id, hit.number) for hit in self.hits})

    def to_dict(self) -> dict:
        return {"tasks": self.tasks, "criteria": self.criteria, "flagged": self.flagged,
                "findings": [hit.to_dict() for hit in self.hits]}


def lint_tasks(tasks: Iterable[Task], plugins: Plugins, cache_dir: Path | None = None) -> LintReport:
    """Lint every acceptance criterion of ``tasks`` with every ``lint_criterion`` rule.

    With ``cache_dir`` (the clone's cache folder), the findings of the built-in rules are
    remembered per criterion text (see LintCache), so an unchanged backlog is linted from
    memory.
    """
    report = LintReport()
    seen: dict[str, list[Finding]] = {}
    cache = LintCache.open(cache_dir, plugins)
    for task in tasks:
        report.tasks += 1
        for criterion in task.acceptance_criteria:
            report.criteria += 1
            findings = seen.get(criterion.text)
            if findings is None:
                findings = cache.get(criterion.text) if cache is not None else None
                if findings is None:
                    failures = len(plugins.failures)
                    findings = lint_text(criterion.text, plugins)
                    if cache is not None and len(plugins.failures) == failures:
                        cache.put(criterion.text, findings)
                seen[criterion.text] = findings
            report.hits.extend(LintHit(task.id, task.title, criterion.index, criterion.text, f) for f in findings)
    if cache is not None:
        cache.save(seen)
    return report


class LintCache:
    """The built-in rules' findings per criterion text, in the clone's cache folder (``criteria-lint.json``).

    Linting 10,000 distinct criteria takes ~0.8 s of regular expressions; their findings
    depend on the text and flowops' version only, so they are remembered, keyed by both
    and by the names of the rules. Used only while every ``lint_criterion`` rule is a
    built-in one: a third-party rule may depend on anything, so it always runs. Data only
    (JSON), outside the working tree, disposable like every cache (cachedir.py).
    """

    NAME = "criteria-lint.json"
    FORMAT = 1
    LIMIT = 50_000  # texts kept beyond those of the current run

    def __init__(self, file: Path, rules: list[str]) -> None:
        self.file = file
        self.rules = rules
        self.results: dict[str, list[list[str]]] = {}
        self.dirty = False

    @classmethod
    def open(cls, cache_dir: Path | None, plugins: Plugins) -> LintCache | None:
        if cache_dir is None:
            return None
        impls = plugins.pm.hook.lint_criterion.get_hookimpls()
        info = plugins.info
        if not impls or not all(impl.plugin_name in info and info[impl.plugin_name].builtin for impl in impls):
            return None
        cache = cls(cache_dir / cls.NAME, sorted(impl.plugin_name for impl in impls))
        cache._load()
        return cache

    def _load(self) -> None:
        import json

        from flowops import __version__

        try:
            document = json.loads(self.file.read_bytes().decode("utf-8"))
            if (document.get("format"), document.get("version"), document.get("rules")) != (self.FORMAT, __version__, self.rules):
                return
            results = document["results"]
            if isinstance(results, dict):
                self.results = results
        except (OSError, ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            return  # a missing, corrupt or foreign cache is an empty one

    def get(self, text: str) -> list[Finding] | None:
        found = self.results.get(text)
        if not isinstance(found, list):
            return None
        try:
            return [Finding(rule, message, suggestion) for rule, message, suggestion in found]
        except (TypeError, ValueError):
            return None

    def put(self, text: str, findings: list[Finding]) -> None:
        self.results[text] = [[f.rule, f.message, f.suggestion] for f in findings]
        self.dirty = True

    def save(self, used: dict[str, list[Finding]]) -> None:
        if not self.dirty:
            return
        import json

        from flowops import __version__
        from flowops.atomic import atomic_write_bytes
        from flowops.cachedir import ensure

        results = self.results
        if len(results) > self.LIMIT:
            results = {text: found for text, found in results.items() if text in used}
        document = {"format": self.FORMAT, "version": __version__, "rules": self.rules, "results": results}
        try:
            if ensure(self.file.parent):
                atomic_write_bytes(self.file, json.dumps(document, separators=(",", ":")).encode("utf-8"), durable=False)
        except (OSError, TypeError, ValueError):
            pass  # an unwritable cache folder still works, only slower
