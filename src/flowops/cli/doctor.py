"""``flowops doctor [--fix]``: list backlog and configuration problems; renumber duplicate ids."""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog
from flowops.cli.output import output_options, print_json, resolve_mode, write
from flowops.errors import EXIT_FAILURE, Reported


@click.command("doctor")
@click.option("--fix", is_flag=True,
              help="Renumber duplicate task ids (the oldest keeps its id) and remove temporary files interrupted writes left.")
@output_options
@click.pass_context
def doctor_command(ctx, fix, plain, as_json):
    """Find duplicate ids, unreadable or special files, dangling dependencies, leftovers and broken configuration.

    Checks every task file, and every file that configures flowops: .flowops/config.toml
    (or [tool.flowops] in pyproject.toml), .flowops/workflow.yml, .flowops/hooks.yaml and
    backlog/config.yml. Exit 1 when an error remains; warnings are shown only. --fix
    renumbers duplicate ids and removes temporary files interrupted writes left behind.
    """
    from flowops.backlog.doctor import Finding, diagnose, fix_duplicates, remove_leftover_temp_files
    from flowops.config_check import check_project_files

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    removed = remove_leftover_temp_files(backlog) if fix else []
    result = fix_duplicates(backlog) if fix else diagnose(backlog)
    for found in check_project_files(project, backlog.dir):
        problem = found.problem
        message = f"{problem.message} (field '{problem.field}')" if problem.field else problem.message
        result.findings.append(Finding(found.kind, message, [problem.path] if problem.path else [], problem.line,
                                       problem.severity))
    if mode == "json":
        print_json(result.to_dict())
    else:
        out = [f"removed {backlog.relpath(path)}" for path in removed]
        for item in result.renumbered:
            out.append(f"renumbered {item.old_id} -> {item.new_id}: {item.old_path} -> {item.new_path}")
        for line in result.review:
            out.append(f"review: {line}")
        for finding in result.findings:
            where = ", ".join(finding.paths)
            line = f":{finding.line}" if finding.line and len(finding.paths) == 1 else ""
            severity = "warning: " if finding.severity == "warning" else ""
            out.append(f"{severity}{finding.kind}: {finding.message} ({where}{line})")
        if not result.findings:
            out.append("No problems found.")
        elif any(f.kind == "duplicate-id" for f in result.findings) and not fix:
            out.append("Run `flowops doctor --fix` to renumber duplicate ids.")
        write("\n".join(out) + "\n")
    if result.errors:
        raise Reported(EXIT_FAILURE)
