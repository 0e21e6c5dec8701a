"""``slo.rules`` and ``slo.specs`` as checks criteria can be bound to.

The judgements are ``flowops.slo.check`` (shared with ``flowops slo generate --check``
and ``flowops slo validate``); this module only turns their results into CheckResults.
Both find the specs and the generated rules file(s) as ``flowops.slo.repository``
says: the check's arguments, else the ``[slo]`` settings, else what discovery finds, so
a bare ``verify: slo.rules`` works in a repository without any configuration.
"""

from __future__ import annotations

from flowops.checks.model import Check, CheckContext, CheckResult, CheckUsageError, Evidence, errored

RULES_USAGE = "slo.rules [-o FILE] [--default-period DURATION] [--severity STYLE] [--runbook-base-url URL] [SPEC...]"
SPECS_USAGE = "slo.specs [--default-period DURATION] [SPEC...]"
_RULES_SUMMARIES = {
    "pass": "the generated SLO rules are current for the SLO specs",
    "fail": "the generated SLO rules are missing, stale or rejected",
    "error": "the SLO rules check could not run",
}


def _result(result, summary: str) -> CheckResult:
    evidence = [Evidence(e.path, e.line, e.message) for e in result.evidence]
    return CheckResult(result.status, summary, evidence)


def check_slo_rules(ctx: CheckContext, args: list[str]) -> CheckResult:
    from flowops.slo.check import run_check

    if ctx.project is None:
        return errored("slo.rules reads the project's [slo] settings: run it inside a flowops project")
    result = run_check(ctx.project, args, promtool=ctx.which("promtool"), inventory=ctx.inventory)
    summary = _RULES_SUMMARIES.get(result.status, result.status)
    if result.status == "pass":
        files = sorted({e.path for e in result.evidence if e.path and e.message.startswith("current")})
        if files:
            summary = f"{len(files)} generated rules file{'' if len(files) == 1 else 's'} current for the SLO specs"
        if any("was not run" in e.message for e in result.evidence):
            summary += " (promtool not on PATH: `promtool check rules` skipped)"
    elif result.evidence:
        failing = [e for e in result.evidence if not e.message.startswith(("current", "promtool check rules:"))]
        summary = (failing or result.evidence)[0].message
    return _result(result, summary)


def check_slo_specs(ctx: CheckContext, args: list[str]) -> CheckResult:
    from flowops.slo.check import run_specs_check

    if ctx.project is None:
        return errored("slo.specs reads the project's [slo] settings: run it inside a flowops project")
    result = run_specs_check(ctx.project, args, inventory=ctx.inventory)
    slos = [e for e in result.evidence if e.message.startswith("SLO ")]
    problems = len(result.evidence) - len(slos)
    if result.status == "pass":
        summary = f"{len(slos)} valid SLO{'' if len(slos) == 1 else 's'} in the SLO specs"
    elif result.status == "fail" and problems and slos is not result.evidence and result.evidence[0].path:
        summary = f"{problems} problem{'' if problems == 1 else 's'} in the SLO specs"
    else:
        summary = result.evidence[0].message if result.evidence else result.status
    return _result(result, summary)


def _validator(usage: str, allowed: tuple[str, ...]):
    def validate(args: list[str]) -> None:
        from flowops.errors import UsageError
        from flowops.slo.generate import parse_generate_args

        try:
            parsed = parse_generate_args(args, usage)
        except UsageError as exc:
            raise CheckUsageError(f"{usage.split()[0]}: {exc.message} ({exc.hint})") from None
        given = set(parsed.options) | ({"output"} if parsed.output else set())
        if given - set(allowed):
            raise CheckUsageError(f"{usage.split()[0]}: {', '.join(sorted(given - set(allowed)))} not accepted; "
                                  f"usage: {usage}")
        if any(p.startswith(("/", "~")) or p == ".." or p.startswith("../") for p in parsed.specs):
            raise CheckUsageError(f"{usage.split()[0]}: SPEC paths are relative to the repository root")

    return validate


RULES = Check("slo.rules", "the rules `flowops slo generate` writes from the SLO specs exist, are current, and "
              "`promtool check rules` accepts them (see docs/slo.md)", check_slo_rules, RULES_USAGE,
              _validator(RULES_USAGE, ("output", "default_period", "severity", "runbook_base_url")), runs_programs=True,
              reads="the SLO specs and the rules files generated from them ([slo] settings, or what discovery finds); "
                    "runs promtool")
SPECS = Check("slo.specs", "the SLO specs are valid (as `flowops slo validate` says), with one evidence line per SLO",
              check_slo_specs, SPECS_USAGE, _validator(SPECS_USAGE, ("default_period",)),
              reads="the SLO specs ([slo] settings, or what discovery finds)")
CHECKS = (RULES, SPECS)
