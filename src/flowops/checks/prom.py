"""The ``prom.*`` checks: alert rules that parse, pass ``promtool check rules`` and can page someone usefully."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from flowops.checks.arguments import parse_arguments, repository_paths, restrict
from flowops.checks.model import (
    Check,
    CheckContext,
    CheckResult,
    Evidence,
    counted,
    failed,
    nothing_found,
    skipped,
    verdict,
)
from flowops.discovery.files import Unreadable
from flowops.discovery.monitoring import RuleSource

PROMTOOL = "promtool"
_PROMTOOL_LINE = re.compile(r"^(?P<file>\S+?): (?:(?P<line>\d+):(?P<column>\d+): )?(?P<message>.+)$")
_MAX_MESSAGES = 50


def _paths(check: str, args: list[str]) -> list[str]:
    return repository_paths(check, parse_arguments(check, args).positional)


def check_rules(ctx: CheckContext, args: list[str]) -> CheckResult:
    paths = _paths("prom.rules", args)
    sources = restrict(ctx.inventory().rule_sources, paths, lambda s: s.path)
    if not sources:
        where = f" under {', '.join(paths)}" if paths else ""
        return nothing_found(f"Prometheus rule files or PrometheusRule resources{where}")
    problems = [Evidence(s.path, s.problem.line or s.line, f"{s.label}: {s.problem.message}") for s in sources if s.problem]
    readable = [s for s in sources if s.problem is None]
    promtool = ctx.which(PROMTOOL)
    if promtool is None:
        if problems:
            return failed(f"{counted(len(problems), 'rule source')} not parsing (promtool not on PATH: expressions not checked)",
                          problems)
        return skipped(f"promtool is not on PATH: {counted(len(sources), 'rule source')} read, but no expression or "
                       "duration was checked; install promtool (Debian/Ubuntu package prometheus)")
    if readable:
        outcome = _promtool(ctx, promtool, readable)
        if isinstance(outcome, CheckResult):
            return outcome
        problems += outcome
    return verdict(problems, f"{counted(len(sources), 'rule source')} passing `promtool check rules`",
                   "{count} problem{s} in alerting and recording rules")


def _promtool(ctx: CheckContext, promtool: str, sources: list[RuleSource]) -> list[Evidence] | CheckResult:
    """promtool's findings for ``sources`` (each written to a temporary file with its lines kept)."""
    files = ctx.inventory().files
    with tempfile.TemporaryDirectory(prefix="flowops-promtool-") as folder:
        shown: dict[str, RuleSource] = {}
        kept: set[str] = set()  # temporary files whose lines are the repository file's lines
        for index, source in enumerate(sources):
            try:
                text, same_lines = _rules_text(source, files.read_text(source.path))
            except Unreadable as exc:
                return failed(f"{source.path}: {exc.reason}", [Evidence(source.path, None, exc.reason)])
            target = os.path.join(folder, f"rules-{index}.yml")
            Path(target).write_text(text, encoding="utf-8")
            shown[target] = source
            if same_lines:
                kept.add(target)
        try:
            proc = subprocess.run([promtool, "check", "rules", *shown], cwd=ctx.root, capture_output=True, text=True,
                                  errors="replace", stdin=subprocess.DEVNULL, timeout=ctx.timeout)
        except subprocess.TimeoutExpired:
            return failed(f"promtool check rules did not finish within {ctx.timeout:g} s",
                          [Evidence(None, None, f"promtool timed out after {ctx.timeout:g} s")])
        except OSError as exc:
            return skipped(f"promtool could not be run: {exc}")
    problems: list[Evidence] = []
    for raw in (proc.stderr or "").splitlines():
        match = _PROMTOOL_LINE.match(raw.strip())
        if match is None or match.group("file") not in shown:
            continue
        source = shown[match.group("file")]
        line = int(match.group("line")) if match.group("line") and match.group("file") in kept else None
        message = match.group("message")
        for temp, other in shown.items():
            message = message.replace(temp, other.path)
        problems.append(Evidence(source.path, line or source.line, f"{source.label}: {message}"))
    if proc.returncode != 0 and not problems:
        tail = [line for line in (proc.stderr or proc.stdout or "").splitlines() if line.strip()][-5:]
        problems = [Evidence(None, None, f"promtool exited {proc.returncode}: {line}") for line in tail] or [
            Evidence(None, None, f"promtool exited {proc.returncode}")]
    return problems[:_MAX_MESSAGES]


def _rules_text(source: RuleSource, text: str) -> tuple[str, bool]:
    """What promtool reads for ``source``: a rule file as it is; a PrometheusRule's groups dedented in place.

    Keeping every line where it was makes promtool's ``line:column`` the line in the
    repository file. When the groups cannot be cut out that way (flow style, odd
    indentation), they are written out afresh and promtool's lines are not used.
    """
    if source.kind == "rules":
        return text, True
    cut = _cut_groups(source, text)
    if cut is not None:
        return cut, True
    import yaml

    return yaml.safe_dump({"groups": source.groups}, sort_keys=False, allow_unicode=True), False


def _cut_groups(source: RuleSource, text: str) -> str | None:
    from flowops.errors import ConfigError
    from flowops.safeyaml import load_documents

    start = source.where.lines.get(source.groups_at)
    if start is None:
        return None
    lines = text.splitlines()
    head = lines[start - 1]
    indent = len(head) - len(head.lstrip(" "))
    if not head.strip().startswith("groups:"):
        return None
    block = [head[indent:]]
    for line in lines[start:]:
        stripped = line.strip()
        outdented = stripped and not stripped.startswith("#") and len(line) - len(line.lstrip(" ")) <= indent
        if stripped in ("---", "...") or outdented:
            break
        block.append(line[indent:] if line[:indent].strip() == "" else line)
    candidate = "\n" * (start - 1) + "\n".join(block) + "\n"
    try:
        documents = load_documents(candidate, source.path)
    except ConfigError:
        return None
    if len(documents) != 1 or documents[0].data != {"groups": source.groups}:
        return None
    return candidate


def check_alerts(ctx: CheckContext, args: list[str]) -> CheckResult:
    paths = _paths("prom.alerts", args)
    sources = restrict(ctx.inventory().rule_sources, paths, lambda s: s.path)
    problems = [Evidence(s.path, s.problem.line or s.line, f"{s.label} cannot be read: {s.problem.message}")
                for s in sources if s.problem]
    alerts = [alert for source in sources for alert in source.alerts]
    if not alerts and not problems:
        return nothing_found("alerting rules" + (f" under {', '.join(paths)}" if paths else ""))
    for alert in alerts:
        missing = []
        if not alert.severity:
            missing.append("no severity label")
        if not alert.runbook_url:
            missing.append("no runbook_url annotation")
        if not alert.summary and not alert.description:
            missing.append("no summary or description annotation")
        if missing:
            group = f" (group {alert.group})" if alert.group else ""
            problems.append(Evidence(alert.source, alert.line, f"alert {alert.name}{group}: {', '.join(missing)}"))
    return verdict(problems, f"{counted(len(alerts), 'alert')} with a severity, a runbook_url and a summary or description",
                   "{count} alert{s} missing a severity, runbook_url or summary")


def _validate(check: str):
    def validate(args: list[str]) -> None:
        _paths(check, args)

    return validate


CHECKS = (
    Check("prom.rules", "Prometheus rule files and PrometheusRule resources parse, and `promtool check rules` accepts "
          "them (skipped when promtool is not on PATH)", check_rules, "prom.rules [PATH...]", _validate("prom.rules"),
          runs_programs=True, reads="Prometheus rule files (groups:) and PrometheusRule resources; runs promtool"),
    Check("prom.alerts", "every alert has a severity label, a runbook_url annotation and a summary or description "
          "annotation", check_alerts, "prom.alerts [PATH...]", _validate("prom.alerts"),
          reads="the alerting rules of rule files and PrometheusRule resources"),
)
