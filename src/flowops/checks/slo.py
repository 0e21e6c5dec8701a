"""``slo.rules`` as a check criteria can be bound to: the generated SLO rules are present, current, accepted.

The judgement is ``flowops.slo.check`` (issue 13's, shared with ``flowops slo generate
--check``); this module only turns its result into a CheckResult.
"""

from __future__ import annotations

from flowops.checks.model import Check, CheckContext, CheckResult, Evidence, errored

USAGE = "slo.rules [-o FILE] [--default-period DURATION] [--severity STYLE] [--runbook-base-url URL] [SPEC...]"
_SUMMARIES = {
    "pass": "the generated SLO rules file is current for the SLO specs",
    "fail": "the generated SLO rules file is missing, stale or rejected",
    "skipped": "the SLO rules could not be checked",
    "error": "the SLO rules check could not run",
}


def check_slo_rules(ctx: CheckContext, args: list[str]) -> CheckResult:
    from flowops.slo.check import run_check

    if ctx.project is None:
        return errored("slo.rules reads the project's [slo] settings: run it inside a flowops project")
    result = run_check(ctx.project, args)
    evidence = [Evidence(e.path, e.line, e.message) for e in result.evidence]
    summary = _SUMMARIES.get(result.status, result.status)
    if result.status != "pass" and evidence:
        summary = evidence[-1].message
    return CheckResult(result.status, summary, evidence)


CHECK = Check("slo.rules", "the rules file `flowops slo generate` writes from the SLO specs exists, is current, and "
              "`promtool check rules` accepts it (see docs/slo.md)", check_slo_rules, USAGE, runs_programs=True,
              reads="the SLO specs and the generated rules file named by [slo] (or -o and SPEC...); runs promtool")
