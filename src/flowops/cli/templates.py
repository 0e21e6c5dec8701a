"""``flowops templates``: CI/CD workflow templates (list them, render one into the project)."""

from __future__ import annotations

from pathlib import Path

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import console, output_options, print_json, resolve_mode, warn, write


@click.group("templates", cls=HelpGroup)
def templates_group() -> None:
    """GitHub Actions CI/CD templates (python, nodejs, go, dotnet)."""


@templates_group.command("list")
@output_options
def list_command(plain: bool, as_json: bool) -> None:
    """Show the templates, their placeholders and defaults."""
    from flowops.render.templates import list_templates

    mode = resolve_mode(plain, as_json)
    templates = list_templates()
    if mode == "json":
        print_json({"templates": [template.to_dict() for template in templates]})
        return
    if mode == "rich":
        from rich.markup import escape
        from rich.table import Table

        table = Table("template")
        table.add_column("file", overflow="fold")
        table.add_column("placeholders (see --plain for defaults)", overflow="fold")
        for template in templates:
            table.add_row(escape(template.name), escape(f"templates/{template.file}"), escape(", ".join(template.placeholders)))
        console().print(table)
        return
    lines = []
    for template in templates:
        lines.append(f"{template.name}  templates/{template.file}")
        lines.append(f"  {template.description}")
        for placeholder in template.placeholders.values():
            default = "(required)" if placeholder.default is None else placeholder.default
            lines.append(f"  {placeholder.name}={default}  # {placeholder.help}")
    write("\n".join(lines) + "\n" if lines else "")


@templates_group.command("render")
@click.argument("stack")
@click.option(
    "--out",
    "out",
    metavar="PATH",
    help="Where to write ('-' for stdout). Default: .github/workflows/<template file> under the project root.",
)
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Set a placeholder (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file that differs.")
@click.option("--dry-run", is_flag=True, help="Print the rendered workflow and what would happen to the file; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (stable keys, no colour).")
def render_command(stack: str, out: str | None, assignments: tuple[str, ...], force: bool, dry_run: bool,
                   as_json: bool) -> None:
    """Render the STACK template with values from the project, its defaults and --set.

    Values the repository determines are filled in (the default branch from git, the
    Python test extra from pyproject.toml, the .NET project file) unless --set gives
    them; stderr says which, and lists what the workflow needs that the repository
    lacks (a deploy script, an npm script). Unknown keys and placeholders left without a
    value are errors (exit 2). An existing output file is kept unless --force.
    """
    from flowops.project import find_project
    from flowops.render.project_facts import detect, still_to_provide
    from flowops.render.templates import load_template, parse_assignments, render_template
    from flowops.render.writes import KEPT, write_rendered

    template = load_template(stack)
    overrides = parse_assignments(assignments)
    project = find_project()
    detection = detect(project.root, template.name, template.placeholders)
    detected = {name: value for name, value in detection.values.items() if name not in overrides}
    # Detected values go into the "render it again" note as --set, so that rendering
    # again gives the same file wherever it runs.
    rendered = render_template(template, {**detected, **overrides})
    todo = still_to_provide(project.root, template.name, rendered.values)
    for name, value in detected.items():
        click.echo(f"detected: {name}={value} ({detection.reasons[name]})", err=True)
    if todo:
        click.echo("still to provide:\n" + "".join(f"  - {line}\n" for line in todo), err=True, nl=False)
    if out == "-":
        write(rendered.text)
        return
    if out:
        target = Path(out)
        shown = out
    else:
        target = project.root / ".github" / "workflows" / template.filename
        shown = project.relpath(target)
    status = write_rendered(target, shown, rendered.text, force=force, dry_run=dry_run)
    if as_json:
        document = {"template": template.name, "path": shown, "status": status, "values": rendered.values,
                    "detected": {name: {"value": value, "reason": detection.reasons[name]} for name, value in detected.items()},
                    "todo": todo}
        if dry_run:
            document["text"] = rendered.text
        print_json(document)
    elif dry_run:
        write(rendered.text)
        click.echo(f"dry run: would write {shown} ({status}); nothing was written", err=True)
    else:
        write(f"{status}  {shown}\n")
    if status == KEPT:
        warn(f"{shown} exists and differs from the rendered template; kept it (rerun with --force to overwrite)")
