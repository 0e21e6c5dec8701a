"""The ``slo.rules`` check: the generated rules file exists, is current, and promtool accepts it.

Meant to be bound to the ops:slo task's criteria (``verify: slo.rules``) and registered as
a check plugin: it reads the repository only (specs, the rules file, runbook documents),
never writes, and names the file and line of every finding.

- ``fail``: a spec is invalid (each problem with its line), the rules file is missing,
  or it is not what ``flowops slo generate`` would write now (the first differing line),
  or ``promtool check rules`` rejects it.
- ``pass``: all of that holds; when promtool is not on PATH the evidence says the
  promtool step did not run (the file is still current, which is the check's core).
- ``error``: promtool itself could not be run to the end (timeout, crash).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.errors import FlowopsError
from flowops.slo.generate import Settings, differences, generate, read_existing

NAME = "slo.rules"
PROMTOOL_TIMEOUT = 60.0
PASS, FAIL, SKIPPED, ERROR = "pass", "fail", "skipped", "error"


@dataclass(frozen=True)
class Evidence:
    """One finding: where (repository-relative path and line) and what."""

    path: str | None
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = self.path if self.line is None or self.path is None else f"{self.path}:{self.line}"
        return f"{where} {self.message}" if where else self.message


@dataclass
class CheckResult:
    """The outcome of one run: ``pass``, ``fail``, ``skipped`` or ``error``, with its evidence."""

    status: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "evidence": [e.to_dict() for e in self.evidence]}


def check_rules(project: Any, specs: Sequence[str], output: str, settings: Settings, *,
                promtool: str | None = "auto", timeout: float = PROMTOOL_TIMEOUT) -> CheckResult:
    """Run the ``slo.rules`` check in ``project`` for ``specs`` and ``output`` (repository-relative paths).

    ``promtool``: the program to run, None for none, ``"auto"`` to look it up on PATH.
    """
    root = project.root
    if not specs:
        return CheckResult(FAIL, [Evidence(None, None, "no SLO specs to check: give SPEC paths or set slo.specs")])
    target = _inside(root, output)
    if target is None:
        return CheckResult(FAIL, [Evidence(output, None, "the rules file path leads outside the repository")])
    try:
        generated = generate(project, [root / spec for spec in specs], target, settings, confine=True)
    except FlowopsError as exc:
        evidence = [Evidence(p.path, p.line, f"{p.field + ': ' if p.field else ''}{p.message}") for p in exc.problems]
        return CheckResult(FAIL, evidence or [Evidence(exc.path, exc.line, exc.message)])
    shown = project.relpath(target)
    if target.is_symlink() or (target.exists() and not target.is_file()):
        return CheckResult(FAIL, [Evidence(shown, None, "is not a regular file")])
    try:
        current = read_existing(target)
    except FlowopsError as exc:
        return CheckResult(ERROR, [Evidence(shown, None, exc.message)])
    command = f"`{_command(specs, output, settings)}`"
    if current is None:
        return CheckResult(FAIL, [Evidence(shown, None, f"the generated rules file does not exist: run {command}")])
    if current != generated.text:
        line, _diff = differences(current, generated.text, shown)
        return CheckResult(FAIL, [Evidence(shown, line, f"differs from what the SLO specs generate now: run {command}")])
    evidence = [Evidence(shown, None, f"current for {len(generated.specs.slos)} SLO(s) from {', '.join(specs)}")]
    program = shutil.which("promtool") if promtool == "auto" else promtool
    if program is None:
        evidence.append(Evidence(shown, None, "promtool is not on PATH: `promtool check rules` was not run"))
        return CheckResult(PASS, evidence)
    return _promtool(program, target, shown, evidence, timeout)


USAGE = "slo.rules [-o FILE] [--default-period DURATION] [--severity STYLE] [--runbook-base-url URL] [SPEC...]"
_OPTIONS = {"-o": "output", "--output": "output", "--default-period": "default_period", "--severity": "severity",
            "--runbook-base-url": "runbook_base_url"}


def run_check(project: Any, args: Sequence[str], *, promtool: str | None = "auto") -> CheckResult:
    """The check as a criterion binds it: ``slo.rules [options] [SPEC...]`` (``args`` without the name).

    Defaults come from the ``[slo]`` settings (``slo.specs``, ``slo.output``, ...), as for
    ``flowops slo generate``; paths are relative to the repository root. A usage mistake
    is an ``error`` result naming the usage, never a pass.
    """
    values: dict[str, str] = {}
    specs: list[str] = []
    words = list(args)
    while words:
        word = words.pop(0)
        name, _, inline = word.partition("=")
        if name in _OPTIONS:
            if not inline and not words:
                return CheckResult(ERROR, [Evidence(None, None, f"{name} needs a value; usage: {USAGE}")])
            values[_OPTIONS[name]] = inline or words.pop(0)
        elif word.startswith("-"):
            return CheckResult(ERROR, [Evidence(None, None, f"unknown option {word}; usage: {USAGE}")])
        else:
            specs.append(word)
    config = project.config
    try:
        settings = Settings.from_config(config, default_period=values.get("default_period"),
                                        severity=values.get("severity"), runbook_base_url=values.get("runbook_base_url"))
    except FlowopsError as exc:
        return CheckResult(ERROR, [Evidence(exc.path, exc.line, f"{exc.message}{'; ' + exc.hint if exc.hint else ''}")])
    output = values.get("output") or config.get("slo.output")
    if not output:
        return CheckResult(FAIL, [Evidence(None, None, "no generated rules file named: give -o FILE or set slo.output")])
    return check_rules(project, specs or list(config.get("slo.specs") or []), output, settings, promtool=promtool)


def _command(specs: Sequence[str], output: str, settings: Settings) -> str:
    from flowops.slo.generate import command_line

    return command_line(list(specs), output, settings)


def _inside(root: Path, relative: str) -> Path | None:
    target = root / relative
    try:
        target.parent.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return target


def _promtool(program: str, target: Path, shown: str, evidence: list[Evidence], timeout: float) -> CheckResult:
    try:
        done = subprocess.run([program, "check", "rules", str(target)], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return CheckResult(ERROR, [*evidence, Evidence(shown, None, f"promtool check rules did not finish in {timeout:g} s")])
    except OSError as exc:
        return CheckResult(ERROR, [*evidence, Evidence(shown, None, f"cannot run promtool: {exc.strerror or exc}")])
    output = (done.stdout + done.stderr).strip().splitlines()
    tail = " | ".join(line.strip() for line in output[-5:] if line.strip())
    if done.returncode != 0:
        return CheckResult(FAIL, [*evidence, Evidence(shown, None, f"promtool check rules failed: {tail}")])
    return CheckResult(PASS, [*evidence, Evidence(shown, None, f"promtool check rules: {tail}")])
