"""The ``gha.*`` checks: GitHub Actions workflows that are pinned, least-privileged and supply-chain aware.

What zizmor and OpenSSF Scorecard ask of a workflow, for the workflows discovery found:
third-party actions pinned to a full commit SHA (a tag can be moved to other code),
explicit ``permissions`` (the default token may write to the repository), and a build
that produces an SBOM and attests its provenance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flowops.checks.arguments import parse_arguments, repository_paths, restrict
from flowops.checks.model import Check, CheckContext, CheckResult, Evidence, counted, failed, nothing_found, passed, verdict
from flowops.discovery.ci import CiFile, Step

_SHA = re.compile(r"[0-9a-fA-F]{40}")
_VERSION_TAG = re.compile(r"v?\d+(?:\.\d+)*(?:[-+.][0-9A-Za-z.-]+)?")
_BRANCHES = frozenset({"main", "master", "develop", "dev", "trunk", "latest", "stable", "release", "nightly", "HEAD"})


def _workflows(check: str, ctx: CheckContext, args: list[str]) -> tuple[list[CiFile], list[str]]:
    paths = repository_paths(check, parse_arguments(check, args).positional)
    return restrict(ctx.inventory().workflows, paths, lambda w: w.path), paths


def _nothing(paths: list[str]) -> CheckResult:
    return nothing_found("GitHub Actions workflows (.github/workflows/*.yml)" + (f" under {', '.join(paths)}" if paths else ""))


def _unreadable(workflows: list[CiFile]) -> list[Evidence]:
    return [Evidence(w.path, w.line, f"workflow: {problem}") for w in workflows for problem in w.problems]


def check_pinned(ctx: CheckContext, args: list[str]) -> CheckResult:
    workflows, paths = _workflows("gha.pinned", ctx, args)
    if not workflows:
        return _nothing(paths)
    problems = _unreadable(workflows)
    count = 0
    for workflow in workflows:
        for step in workflow.steps():
            uses = step.uses
            if uses is None or uses.startswith(("./", "docker://")):
                continue  # the repository's own actions, and container images (pinned by digest elsewhere)
            count += 1
            name, at, ref = uses.partition("@")
            if not at:
                problems.append(Evidence(workflow.path, step.line, f"{step.label}: {uses} names no version at all"))
            elif not _SHA.fullmatch(ref):
                problems.append(Evidence(workflow.path, step.line,
                                         f"{step.label}: {uses} is pinned to {_ref_kind(ref)}, not a full commit SHA"))
    ok = f"{counted(count, 'third-party action')} in {counted(len(workflows), 'workflow')} pinned to a commit SHA"
    return verdict(problems, ok,
                   "{count} action{s} not pinned to a full commit SHA")


def _ref_kind(ref: str) -> str:
    if ref in _BRANCHES:
        return f"the branch {ref}"
    if _VERSION_TAG.fullmatch(ref):
        return f"the tag {ref}"
    if re.fullmatch(r"[0-9a-fA-F]{7,39}", ref):
        return f"the short SHA {ref}"
    return f"'{ref}'"


def check_permissions(ctx: CheckContext, args: list[str]) -> CheckResult:
    workflows, paths = _workflows("gha.permissions", ctx, args)
    if not workflows:
        return _nothing(paths)
    problems = _unreadable(workflows)
    for workflow in workflows:
        data = workflow.data or {}
        top = data.get("permissions")
        if _write_all(top):
            problems.append(Evidence(workflow.path, workflow.line_of("permissions"),
                                     "workflow: permissions: write-all grants the token every write scope"))
        bare = []
        for job_id, job in workflow.job_data.items():
            own = job.get("permissions")
            if _write_all(own):
                problems.append(Evidence(workflow.path, workflow.line_of("jobs", job_id, "permissions"),
                                         f"job {job_id}: permissions: write-all grants the token every write scope"))
            if "permissions" not in job:
                bare.append(job_id)
        if "permissions" not in data and bare:
            jobs = ", ".join(bare)
            problems.append(Evidence(workflow.path, workflow.line,
                                     f"workflow: no top-level permissions, and job{'s' if len(bare) > 1 else ''} {jobs} "
                                     f"set{'' if len(bare) > 1 else 's'} none (the token gets the repository default)"))
    return verdict(problems, f"{counted(len(workflows), 'workflow')} with explicit permissions, none write-all",
                   "{count} workflow or job problem{s} with token permissions")


def _write_all(value: object) -> bool:
    return isinstance(value, str) and value.strip() == "write-all"


@dataclass(frozen=True)
class _Tools:
    """How a workflow step shows it does something: actions it uses and commands it runs."""

    actions: tuple[str, ...]  # ``owner/repo`` prefixes (case-insensitive)
    commands: tuple[re.Pattern[str], ...]
    inputs: tuple[tuple[str, str, re.Pattern[str]], ...]  # (action prefix, input, value pattern)

    def match(self, step: Step) -> str | None:
        """What in ``step`` matched, or None."""
        uses = (step.uses or "").split("@")[0].lower()
        for action in self.actions:
            if uses.startswith(action.lower()):
                return f"uses {step.uses}"
        for action, name, pattern in self.inputs:
            value = step.with_.get(name)
            if uses.startswith(action.lower()) and value is not None and pattern.search(str(value)):
                return f"uses {step.uses} with {name}: {value}"
        if step.run:
            for pattern in self.commands:
                found = pattern.search(step.run)
                if found:
                    return f"runs `{found.group(0).strip()}`"
        return None


SBOM = _Tools(
    actions=("anchore/sbom-action", "cyclonedx/gh-", "advanced-security/sbom-generator-action",
             "advanced-security/spdx-dependency-submission-action"),
    commands=(
        re.compile(r"\bsyft\b[^\n]*"),
        re.compile(r"(?:\bcyclonedx(?:-(?:py|npm|gomod|bom))?\b|@cyclonedx/[\w-]+|\bcdxgen\b)[^\n]*"),
        re.compile(r"\btrivy\b[^\n]*--format[ =](?:cyclonedx|spdx(?:-json)?)\b[^\n]*"),
        re.compile(r"\bdocker\b[^\n]*(?:--sbom(?:=true)?\b|--attest[ =]type=sbom)[^\n]*"),
        re.compile(r"\bdocker sbom\b[^\n]*"),
        re.compile(r"\bsbom-tool generate\b[^\n]*"),
        re.compile(r"\bbom generate\b[^\n]*"),
    ),
    inputs=(
        ("aquasecurity/trivy-action", "format", re.compile(r"^(?:cyclonedx|spdx|spdx-json|github)$")),
        ("docker/build-push-action", "sbom", re.compile(r"^(?!false$).+", re.I)),
        ("docker/bake-action", "sbom", re.compile(r"^(?!false$).+", re.I)),
    ),
)
PROVENANCE = _Tools(
    actions=("actions/attest-build-provenance", "slsa-framework/slsa-github-generator"),
    commands=(
        re.compile(r"\bcosign attest\b[^\n]*--type[ =](?:slsaprovenance\d*|https://slsa\.dev/provenance/[\w./]+)[^\n]*"),
        re.compile(r"\bdocker\b[^\n]*(?:--provenance(?:=(?!false)\S+|\s+(?!false)\S+)|--attest[ =]type=provenance)[^\n]*"),
        re.compile(r"\bgh attestation (?!verify)\w+[^\n]*"),
    ),
    inputs=(
        ("docker/build-push-action", "provenance", re.compile(r"^(?!false$).+", re.I)),
        ("docker/bake-action", "provenance", re.compile(r"^(?!false$).+", re.I)),
        ("actions/attest", "predicate-type", re.compile(r"slsa\.dev/provenance")),
    ),
)


def _find(workflows: Iterable[CiFile], tools: _Tools) -> list[Evidence]:
    found = []
    for workflow in workflows:
        for step in workflow.steps():
            what = tools.match(step)
            if what is not None:
                found.append(Evidence(workflow.path, step.line, f"{step.label} {what}"))
    return found


def check_sbom(ctx: CheckContext, args: list[str]) -> CheckResult:
    return _find_step(ctx, args, "gha.sbom", SBOM, "generating an SBOM", "generates an SBOM",
                      "no step uses an SBOM generator (anchore/sbom-action, CycloneDX actions, trivy with "
                      "format cyclonedx/spdx, docker/build-push-action with sbom) or runs one (syft, cyclonedx-*, "
                      "cdxgen, trivy --format cyclonedx, docker buildx --sbom)")


def check_provenance(ctx: CheckContext, args: list[str]) -> CheckResult:
    return _find_step(ctx, args, "gha.provenance", PROVENANCE, "attesting build provenance", "attests build provenance",
                      "no step uses actions/attest-build-provenance, the SLSA GitHub generator, "
                      "docker/build-push-action with provenance, or runs cosign attest --type slsaprovenance "
                      "or docker buildx --provenance")


def _find_step(ctx: CheckContext, args: list[str], check: str, tools: _Tools, doing: str, does: str,
               hint: str) -> CheckResult:
    """Pass when some step of the workflows uses one of ``tools``; the failure names what was looked for."""
    workflows, paths = _workflows(check, ctx, args)
    if not workflows:
        return _nothing(paths)
    found = _find(workflows, tools)
    if found:
        return passed(f"{counted(len(found), 'step')} {doing}", found)
    return failed(f"none of {counted(len(workflows), 'workflow')} {does}", [Evidence(None, None, hint)])


def _validate(check: str):
    def validate(args: list[str]) -> None:
        repository_paths(check, parse_arguments(check, args).positional)

    return validate


CHECKS = (
    Check("gha.pinned", "every action a workflow uses from outside the repository is pinned to a full 40-character "
          "commit SHA", check_pinned, "gha.pinned [PATH...]", _validate("gha.pinned"),
          reads="the uses: of every step and reusable-workflow job in .github/workflows/"),
    Check("gha.permissions", "every workflow sets permissions at the top or on every job, and none grants write-all",
          check_permissions, "gha.permissions [PATH...]", _validate("gha.permissions"),
          reads="the permissions: of every workflow and job in .github/workflows/"),
    Check("gha.sbom", "some workflow generates a software bill of materials (SBOM)", check_sbom,
          "gha.sbom [PATH...]", _validate("gha.sbom"), reads="the steps of every workflow in .github/workflows/"),
    Check("gha.provenance", "some workflow attests the build's provenance (SLSA)", check_provenance,
          "gha.provenance [PATH...]", _validate("gha.provenance"), reads="the steps of every workflow in .github/workflows/"),
)
