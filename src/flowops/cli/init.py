"""``flowops init``: create or adopt the backlog and flowops' files (safe to run again)."""

from __future__ import annotations

import click

from flowops.cli.output import output_options, print_json, resolve_mode, write


@click.command("init")
@click.argument("name", required=False)
@click.option("--defaults", is_flag=True, help="Accepted for Backlog.md compatibility (flowops never prompts).")
@click.option("--config", "config_kind", type=click.Choice(["toml", "pyproject"]), default="toml", show_default=True,
              help="Where flowops' settings live: .flowops/config.toml or [tool.flowops] in pyproject.toml.")
@click.option("--git-hooks", is_flag=True, help="Also install flowops' git hooks (see `flowops git install`).")
@click.option("--commands", "agents", multiple=True, help="Also install slash commands for this agent (repeatable).")
@output_options
def init_command(name, defaults, config_kind, git_hooks, agents, plain, as_json):
    """Set up flowops here: backlog/ (or adopt an existing one), .flowops/workflow.yml, hooks.yaml, config."""
    from flowops.initialize import InitStep, init_project
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    project = find_project()
    report = init_project(project.root, name, config_kind=config_kind)
    if git_hooks:
        from flowops.gitops.install import install_hooks

        hooks = install_hooks(project.root)
        for change in hooks.changes:
            report.steps.append(InitStep(project.relpath(change.path), _hook_status(change.action), change.note or ""))
    if agents:
        from flowops.render.install import install_commands

        installed = install_commands(project.root, list(agents))
        for entry in installed.entries:
            status = {"written": "created", "unchanged": "kept"}.get(entry.status, entry.status)
            report.steps.append(InitStep(entry.path, status, entry.command if entry.command != "-" else ""))
        for note in installed.notes:
            click.echo(f"note: {note}", err=True)
    if mode == "json":
        print_json(report.to_dict())
        return
    lines = [f"{step.status:8} {step.path}" + (f"  ({step.detail})" if step.detail else "") for step in report.steps]
    where = _where(project.root)
    summary = f"flowops is set up {where}." if report.changed else f"Nothing to do: flowops was already set up {where}."
    write("\n".join(lines) + f"\n{summary}\n")


def _where(root) -> str:
    """``here (/repo)``, or where init went instead of the current folder, and why."""
    from pathlib import Path

    root = Path(root).resolve()
    if Path.cwd().resolve() == root:
        return f"here ({root})"
    # find_project climbed up: to a folder that already holds flowops' files, or to the git top.
    why = "the top of the git repository" if (root / ".git").exists() else "the folder holding backlog/ and .flowops/"
    return f"in {root} ({why})"


def _hook_status(action: str) -> str:
    return {"installed": "created", "replaced": "updated", "kept": "kept", "unchanged": "kept"}.get(action, action or "created")
