"""``flowops discover``: what operations artefacts the repository holds (what the checks will read)."""

from __future__ import annotations

import click

from flowops.cli.output import output_options, print_json, resolve_mode, write

_SHOWN = 4  # paths named per area in the summary; --json lists everything


@click.command("discover")
@output_options
def discover_command(plain, as_json):
    """List the repository's CI, container, Kubernetes, alerting, SLO, dashboard and runbook files.

    Searches git-tracked and untracked-but-not-ignored files (outside git: every file),
    skipping backlog/, .flowops/, node_modules, vendor and virtualenvs, and never
    following a symlink out of the repository. Helm chart templates are listed as
    charts, not parsed. [discover] include/exclude globs in the configuration widen or
    narrow the search. Files that cannot be read are listed as problems; they never
    stop the search.
    """
    from flowops.cli.common import open_backlog
    from flowops.discovery.inventory import discover_project

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog(require=False)
    inventory = discover_project(project, backlog if backlog.exists else None)
    if mode == "json":
        print_json(inventory.to_dict())
        return
    write("".join(line + "\n" for line in summary_lines(inventory)))


def summary_lines(inventory) -> list[str]:
    """The plain summary: one line per area, a few paths named, every problem listed."""
    files = inventory.files
    lines = [f"{inventory.root} ({len(files.paths):,} files, listed by {'git' if files.source == 'git' else 'a folder walk'})"]
    workflows = inventory.workflows
    others = [ci for ci in inventory.ci if ci.system != "github-actions"]
    jobs = sum(len(w.jobs) for w in workflows)
    ci = f"{_count(len(workflows), 'GitHub Actions workflow')} ({_count(jobs, 'job')})"
    if others:
        ci += "; also " + ", ".join(f"{c.system} ({c.path})" for c in others)
    lines.append(f"ci: {ci}{_paths([w.path for w in workflows])}")
    lines.append(f"containers: {_count(len(inventory.containers), 'container build')}"
                 f"{_paths([c['path'] for c in inventory.containers])}")
    workloads = inventory.workloads
    lines.append(f"kubernetes: {_count(len(workloads), 'workload')}, {_count(len(inventory.objects), 'other object')}, "
                 f"{_count(len(inventory.kustomizations), 'kustomization')}, {_count(len(inventory.charts), 'chart')}"
                 f"{_paths(sorted({m.path for m in inventory.manifests}))}")
    if workloads:
        shown = ", ".join(f"{w.ref}" for w in workloads[:_SHOWN]) + (" ..." if len(workloads) > _SHOWN else "")
        lines.append(f"  workloads: {shown}")
    alerts = inventory.alerts
    lines.append(f"alerts: {_count(len(alerts), 'alert')} in {_count(len(inventory.alert_files), 'file')}"
                 f"{_paths(inventory.alert_files)}")
    lines.append(f"slos: {_count(len(inventory.slos), 'SLO')} in {_count(len(inventory.slo_files), 'spec file')}"
                 f"{_paths(inventory.slo_files)}")
    generated = inventory.generated_rules
    if generated:
        lines.append("  generated rules: " + ", ".join(
            f"{g.path} (from {', '.join(g.generated.specs) or 'no spec'})" for g in generated))
    lines.append(f"dashboards: {_count(len(inventory.dashboards), 'dashboard')}"
                 f"{_paths([d.path for d in inventory.dashboards])}")
    filled = sum(1 for r in inventory.runbooks if r["filled"])
    lines.append(f"runbooks: {_count(len(inventory.runbooks), 'runbook document')}, {filled} written")
    if inventory.problems:
        lines.append(f"problems: {_count(len(inventory.problems), 'file')} could not be used")
        for problem in inventory.problems:
            where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
            lines.append(f"  {where}: {problem.message}")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _paths(paths: list[str]) -> str:
    if not paths:
        return ""
    shown = ", ".join(paths[:_SHOWN])
    return f": {shown}" + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")
