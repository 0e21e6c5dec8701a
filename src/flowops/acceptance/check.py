"""Acceptance criteria across tasks: which are still unchecked, and which are too vague to check.

``unchecked`` serves ``flowops ac check`` (exit 3 while any is open); ``lint_tasks``
serves ``flowops ac lint`` and runs every ``lint_criterion`` rule once per distinct
criterion text: playbook criteria repeat across features, and in a big backlog the
same wording comes back often.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.acceptance.lint import Finding, lint_text
from flowops.backlog.model import Task

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog, BadFile
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
    criteria = ((task.id, task.title, [(c.index, c.text) for c in task.acceptance_criteria]) for task in tasks)
    return _lint(criteria, plugins, LintCache.open(cache_dir, plugins), {})


def lint_backlog(backlog: Backlog, plugins: Plugins, cache_dir: Path | None = None,
                 folders: tuple[str, ...] = ("tasks",)) -> tuple[LintReport, list[BadFile]]:
    """``lint_tasks`` over every task of ``folders`` (and the files that could not be read), without Task objects.

    The tasks are read as records (``Backlog.records``). When every rule is a built-in one,
    the processes that read files from disk (both cores, with no cache) also lint the
    criteria they read that the LintCache does not know, so a cold run lints in parallel
    with the parsing; findings come back as plain tuples. A third-party rule may depend on
    anything (process state included), so with one every criterion is linted here, by
    ``lint_text``, as ``lint_tasks`` does. Same report as ``lint_tasks`` of ``Backlog.load``.
    """
    import gc

    # As in Backlog.load: tens of thousands of objects that all survive (records, findings)
    # set the cyclic collector off again and again; nothing here makes cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint_backlog(backlog, plugins, cache_dir, folders)
    finally:
        if gc_was_enabled:
            gc.enable()


def _lint_backlog(backlog: Backlog, plugins: Plugins, cache_dir: Path | None,
                  folders: tuple[str, ...]) -> tuple[LintReport, list[BadFile]]:
    from flowops.backlog.records import SCALARS

    cache = LintCache.open(cache_dir, plugins)
    rules = builtin_rules(plugins)
    batch = None
    if rules is not None:
        known = cache.results if cache is not None else {}

        def batch(records: list) -> dict[str, list[tuple[str, str, str]]]:
            return _lint_records(records, rules, known)

    listing = backlog.records(folders, batch=batch)
    found: dict[str, list[tuple[str, str, str]]] = {}
    for answer in listing.answers:
        found.update(answer)
    at_id, at_title = SCALARS.index("id"), SCALARS.index("title")
    criteria = (
        (record[0][at_id], record[0][at_title], [(number, text) for number, (text, _checked) in enumerate(record[2], 1)])
        for record in listing.records
    )
    return _lint(criteria, plugins, cache, found), listing.bad


def builtin_rules(plugins: Plugins) -> list[tuple[Callable[..., Any], bool]] | None:
    """The ``lint_criterion`` rules as (function, takes ``text``) in call order, when every one is built in; else None."""
    impls = plugins.implementations("lint_criterion")
    info = plugins.info
    if not all(impl.plugin_name in info and info[impl.plugin_name].builtin for impl in impls):
        return None
    return [(impl.function, "text" in impl.argnames) for impl in impls]


def _lint_records(records: list, rules: list[tuple[Callable[..., Any], bool]], known: dict) -> dict[str, list[tuple[str, str, str]]]:
    """The built-in ``rules``' findings, as (rule, message, suggestion), for each criterion text of ``records`` not in ``known``.

    What ``lint_text`` would give for those rules. A text for which a rule raises or
    returns something ``lint_text`` would report as a plugin failure is left out: it is
    linted again by ``lint_text``, which records the failure.
    """
    found: dict[str, list[tuple[str, str, str]]] = {}
    for record in records:
        for text, _checked in record[2]:
            if text in found or text in known:
                continue
            findings: list[tuple[str, str, str]] | None = []
            for function, takes_text in rules:
                try:
                    result = function(text=text) if takes_text else function()
                except Exception:
                    findings = None
                    break
                if result is None:
                    continue
                items = [result] if isinstance(result, Finding) else result
                if not isinstance(items, (list, tuple)):
                    findings = None
                    break
                if not all(type(item) is Finding for item in items):
                    findings = None
                    break
                findings.extend((item.rule, item.message, item.suggestion) for item in items)  # type: ignore[union-attr]
            if findings is not None:
                found[text] = findings
    return found


def _lint(criteria: Iterable[tuple[str, str, list[tuple[int, str]]]], plugins: Plugins, cache: LintCache | None,
          found: dict[str, list[tuple[str, str, str]]]) -> LintReport:
    """The report for ``criteria`` ((task id, title, [(number, text)]) per task), each distinct text linted once.

    A text's findings come from ``found`` (made by the processes that read the files, for
    texts the cache did not hold), then the cache, and only then from the rules.
    """
    report = LintReport()
    # Texts found by the readers are not in the cache (they skipped those it held): all of
    # them go in at once, and most criteria are settled by one lookup.
    seen: dict[str, list[Finding]] = {
        text: [Finding(rule, message, suggestion) for rule, message, suggestion in made] if made else []
        for text, made in found.items()
    }
    if cache is not None and found:
        cache.add({text: [list(finding) for finding in made] for text, made in found.items()})
    hits = report.hits
    count = 0
    for task_id, title, items in criteria:
        report.tasks += 1
        for number, text in items:
            count += 1
            findings = seen.get(text)
            if findings is None:
                findings = cache.get(text) if cache is not None else None
                if findings is None:
                    failures = len(plugins.failures)
                    findings = lint_text(text, plugins)
                    if cache is not None and len(plugins.failures) == failures:
                        cache.put(text, findings)
                seen[text] = findings
            if findings:
                hits.extend(LintHit(task_id, title, number, text, f) for f in findings)
    report.criteria = count
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

    def add(self, results: dict[str, list[list[str]]]) -> None:
        """``put`` of many texts at once, their findings already as [rule, message, suggestion]."""
        self.results.update(results)
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
