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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.errors import FlowopsError
from flowops.slo.generate import (
    Settings,
    command_line,
    differences,
    generate,
    only_links_differ,
    parse_generate_args,
    read_existing,
    slo_at,
)
from flowops.slo.repository import SUGGESTED_OUTPUT, SloSetup, resolve

if TYPE_CHECKING:
    from flowops.discovery.inventory import Inventory
    from flowops.project import Project

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


def check_rules(project: Project, specs: Sequence[str], output: str, settings: Settings, *,
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
        if only_links_differ(current, generated.text):
            why = ("only its runbook_url links differ: a runbook document was created or renamed since it was "
                   "generated")
        else:
            slo = slo_at(generated.text, line) or slo_at(current, line)
            why = "differs from what the SLO specs generate now" + (f" (first in SLO {slo})" if slo else "")
        return CheckResult(FAIL, [Evidence(shown, line, f"{why}: run {command}")])
    count = len(generated.specs.slos)
    evidence = [Evidence(shown, None, f"current for {count} SLO{'' if count == 1 else 's'} from {', '.join(specs)}")]
    program = shutil.which("promtool") if promtool == "auto" else promtool
    if program is None:
        evidence.append(Evidence(shown, None, "promtool is not on PATH: `promtool check rules` was not run"))
        return CheckResult(PASS, evidence)
    return _promtool(program, target, shown, evidence, timeout)


USAGE = "slo.rules [-o FILE] [--default-period DURATION] [--severity STYLE] [--runbook-base-url URL] [SPEC...]"
NO_SPECS = ("no SLO specs found (Sloth prometheus/v1 or OpenSLO): absence of evidence is not a pass; give SPEC paths "
            "or set slo.specs")


def run_check(project: Project, args: Sequence[str], *, promtool: str | None = "auto",
              inventory: Callable[[], Inventory] | None = None) -> CheckResult:
    """The check as a criterion binds it: ``slo.rules [options] [SPEC...]`` (``args`` without the name).

    What is checked is found by ``flowops.slo.repository.resolve``: arguments, else the
    ``[slo]`` settings, else what discovery finds (``inventory``), so a bare
    ``verify: slo.rules`` checks every rules file ``flowops slo generate`` wrote, each
    against the command in its header, and that every SLO spec is in one of them. Paths
    are relative to the repository root. A usage mistake is an ``error`` result naming
    the usage, never a pass.
    """
    setup = resolve_setup(project, args, inventory)
    if isinstance(setup, CheckResult):
        return setup
    if not setup.has_specs:
        return CheckResult(FAIL, [Evidence(None, None, NO_SPECS)])
    if setup.missing:
        return CheckResult(FAIL, [Evidence(None, None, f"{setup.missing} ({', '.join(setup.specs)}): run "
                                                       f"`{setup.suggestion}` and commit the file")])
    results = [check_rules(project, list(t.specs), t.output, t.settings, promtool=promtool) for t in setup.targets]
    evidence = [e for result in results for e in result.evidence]
    for spec in setup.uncovered:
        command = _with_spec(setup, spec)
        evidence.append(Evidence(spec, None, f"this SLO spec is in no generated rules file: run `{command}`"))
    statuses = {result.status for result in results}
    if FAIL in statuses or setup.uncovered:
        return CheckResult(FAIL, evidence)
    if ERROR in statuses:
        return CheckResult(ERROR, evidence)
    return CheckResult(PASS, evidence)


def resolve_setup(project: Project, args: Sequence[str],
                  inventory: Callable[[], Inventory] | None) -> SloSetup | CheckResult:
    """The setup the check's words stand for, or the ``error`` result that says why they are unusable."""
    try:
        parsed = parse_generate_args(args, USAGE)
        return resolve(project, specs=parsed.specs, output=parsed.output, options=parsed.options, inventory=inventory)
    except FlowopsError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        return CheckResult(ERROR, [Evidence(exc.path, exc.line, f"{exc.message}{hint}")])


def _with_spec(setup: SloSetup, spec: str) -> str:
    """The command that adds ``spec`` to the (one) rules file, or makes a rules file for it."""
    if len(setup.targets) == 1:
        target = setup.targets[0]
        return command_line([*target.specs, spec], target.output, target.settings)
    return command_line([spec], SUGGESTED_OUTPUT, setup.settings)


def _command(specs: Sequence[str], output: str, settings: Settings) -> str:
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
        message = f"promtool check rules did not finish in {timeout:g} s"
        return CheckResult(ERROR, [*evidence, Evidence(shown, None, message)])
    except OSError as exc:
        return CheckResult(ERROR, [*evidence, Evidence(shown, None, f"cannot run promtool: {exc.strerror or exc}")])
    output = (done.stdout + done.stderr).strip().splitlines()
    tail = " | ".join(line.strip() for line in output[-5:] if line.strip())
    if done.returncode != 0:
        return CheckResult(FAIL, [*evidence, Evidence(shown, None, f"promtool check rules failed: {tail}")])
    return CheckResult(PASS, [*evidence, Evidence(shown, None, f"promtool check rules: {tail}")])


SPECS_USAGE = "slo.specs [--default-period DURATION] [SPEC...]"


def run_specs_check(project: Project, args: Sequence[str], *,
                    inventory: Callable[[], Inventory] | None = None) -> CheckResult:
    """``slo.specs``: the SLO specs are valid (what ``flowops slo validate`` says), one evidence line per SLO.

    Specs are found as for ``slo.rules``; Sloth specs are read with the period of the
    rules file generated from them (its header), else ``--default-period`` or
    ``slo.default_period``. No spec at all fails: absence of evidence is not a pass.
    """
    from flowops.slo.model import format_days, format_number

    try:
        parsed = parse_generate_args(args, SPECS_USAGE)
    except FlowopsError as exc:
        return CheckResult(ERROR, [Evidence(None, None, f"{exc.message}; {exc.hint}")])
    if parsed.output or set(parsed.options) - {"default_period"}:
        return CheckResult(ERROR, [Evidence(None, None, f"slo.specs takes only --default-period and SPEC paths; usage: "
                                                        f"{SPECS_USAGE}")])
    setup = resolve_setup(project, args, inventory)
    if isinstance(setup, CheckResult):
        return setup
    if not setup.has_specs:
        return CheckResult(FAIL, [Evidence(None, None, NO_SPECS)])
    from flowops.slo.workflow import read_setup_specs

    found = read_setup_specs(project, setup)
    problems = [Evidence(p.path, p.line, f"{p.field + ': ' if p.field else ''}{p.message}") for p in found.errors]
    described = []
    for slo in found.slos:
        alerts = ", ".join(slo.alert_names) or "none (both disabled)"
        described.append(Evidence(slo.source, slo.line,
                                  f"SLO {slo.id}: {format_number(slo.objective)}% over {format_days(slo.period)}, "
                                  f"{format_number(slo.budget_minutes)} minutes of error budget; alerts: {alerts}"))
    if problems:
        return CheckResult(FAIL, problems + described)
    if not described:
        return CheckResult(FAIL, [Evidence(None, None, f"no SLO in {', '.join(setup.specs)}")])
    return CheckResult(PASS, described)
