"""``flowops git``: install, remove and inspect the git hooks that report git.* events."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, say_err, write

_TYPES_HELP = "Comma-separated hook types (default: post-commit,post-merge,post-checkout,pre-push)."

_ACTION_TEXT = {
    "installed": "installed",
    "updated": "rewritten",
    "unchanged": "already installed, up to date",
    "kept": "left as it is",
    "removed": "removed",
    "restored": "removed; previous hook restored",
    "absent": "not installed",
    "foreign": "not flowops'",
    "flowops": "flowops",
}


@click.group("git", cls=HelpGroup)
def git_group() -> None:
    """Git hooks that report commits, merges, checkouts and pushes as git.* events."""


types_option = click.option("--types", "types_", metavar="TYPES", help=_TYPES_HELP)


@git_group.command("install")
@click.option("--force", is_flag=True, help="Rewrite flowops scripts that are already installed.")
@types_option
@click.option("--hooks-path", "follow_hooks_path", is_flag=True, help="When core.hooksPath is set, install into the folder it names.")
@output_options
def install_command(force: bool, types_: str | None, follow_hooks_path: bool, plain: bool, as_json: bool) -> None:
    """Install the hook scripts; hooks already there keep running (kept as <name>.legacy)."""
    from flowops.gitops.install import install_hooks

    _show(install_hooks, types_, plain, as_json, force=force, follow_hooks_path=follow_hooks_path)


@git_group.command("uninstall")
@types_option
@output_options
def uninstall_command(types_: str | None, plain: bool, as_json: bool) -> None:
    """Remove flowops' hook scripts and restore the hooks they kept; other hooks are not touched."""
    from flowops.gitops.install import uninstall_hooks

    _show(uninstall_hooks, types_, plain, as_json)


@git_group.command("status")
@types_option
@output_options
def status_command(types_: str | None, plain: bool, as_json: bool) -> None:
    """Show, per hook type, whether flowops' script, another hook or nothing is installed."""
    from flowops.gitops.install import hooks_status

    _show(hooks_status, types_, plain, as_json)


@git_group.command(
    "hook-run",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("hook_type", metavar="TYPE")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def hook_run_command(ctx: click.Context, hook_type: str, args: tuple[str, ...]) -> None:
    """Report one git hook call as an event (run by the installed scripts; always exits 0).

    Problems are recorded in the audit log and shown as one line each on stderr.
    """
    from flowops.gitops.hookrun import run_hook

    # Only pre-push gets data on stdin; for the others it may be a terminal.
    stdin_text = _read_stdin() if hook_type == "pre-push" else ""
    no_hooks = bool((ctx.obj or {}).get("no_hooks"))
    outcome = run_hook(hook_type, args, stdin_text=stdin_text, cwd=os.getcwd(), no_hooks=no_hooks)
    for message in outcome.messages:
        say_err(f"flowops {hook_type}: {message}")


def _read_stdin() -> str:
    try:
        return sys.stdin.read()
    except (OSError, ValueError):  # closed or undecodable: report the push without refs
        return ""


def _show(action: Callable[..., Any], types_: str | None, plain: bool, as_json: bool, **options: Any) -> None:
    """Run ``action`` (install, uninstall or status) for the chosen hook types; render its report."""
    from flowops.gitops.install import parse_types

    mode = resolve_mode(plain, as_json)
    report = action(types=parse_types(types_), **options)
    if mode == "json":
        print_json(report.to_dict())
        return
    lines = []
    for change in report.changes:
        text = f"{change.hook_type}: {_ACTION_TEXT.get(change.action, change.action)} ({change.path})"
        if change.note:
            text += f"; {change.note}"
        elif change.legacy and change.action in {"installed", "updated", "unchanged", "flowops"}:
            text += f"; runs {change.legacy.name} first"
        lines.append(text)
    write("\n".join(lines) + "\n")
