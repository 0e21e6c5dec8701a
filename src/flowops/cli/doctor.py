"""``flowops doctor [--fix]``: list backlog problems; renumber duplicate ids."""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog
from flowops.cli.output import output_options, print_json, resolve_mode, write


@click.command("doctor")
@click.option("--fix", is_flag=True, help="Renumber duplicate task ids (the oldest keeps its id) and remove temporary files interrupted writes left.")
@output_options
@click.pass_context
def doctor_command(ctx, fix, plain, as_json):
    """Find duplicate ids, unreadable or special files, dangling dependencies and leftovers (exit 1 when any remain)."""
    from flowops.backlog.doctor import diagnose, fix_duplicates, remove_leftover_temp_files

    mode = resolve_mode(plain, as_json)
    _project, backlog = open_backlog()
    removed = remove_leftover_temp_files(backlog) if fix else []
    result = fix_duplicates(backlog) if fix else diagnose(backlog)
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
            out.append(f"{finding.kind}: {finding.message} ({where}{line})")
        if not result.findings:
            out.append("No problems found.")
        elif any(f.kind == "duplicate-id" for f in result.findings) and not fix:
            out.append("Run `flowops doctor --fix` to renumber duplicate ids.")
        write("\n".join(out) + "\n")
    if result.findings:
        ctx.exit(1)
