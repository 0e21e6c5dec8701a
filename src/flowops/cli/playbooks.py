"""``flowops playbooks``: the playbooks ``flowops operate`` can apply, and which plugin gives each."""

from __future__ import annotations

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn_all, write


@click.group("playbooks", cls=HelpGroup)
def playbooks_group() -> None:
    """Operations playbooks: the task sets `flowops operate --playbook NAME` creates.

    Built-in: sre (default) and mlops. Plugins add more through register_playbooks.
    """


@playbooks_group.command("list")
@output_options
def list_command(plain: bool, as_json: bool) -> None:
    """List every registered playbook with its items (key, area, number of criteria) and plugin."""
    from flowops.ops.playbook import collect_playbooks
    from flowops.plugins import get_plugins
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    plugins = get_plugins(find_project())
    before = len(plugins.failures)
    playbooks = sorted(collect_playbooks(plugins).values(), key=lambda playbook: playbook.name)
    warn_all(plugins.failures[before:])
    if mode == "json":
        print_json({"playbooks": [_as_dict(playbook) for playbook in playbooks]})
    elif mode == "rich":
        _print_rich(playbooks)
    else:
        write("".join(_plain_lines(playbooks)))


def _as_dict(playbook) -> dict:
    return {
        "name": playbook.name,
        "description": playbook.description,
        "plugin": playbook.plugin,
        "items": [
            {"key": item.key, "label": item.label, "title": item.title, "area": item.area, "criteria_count": len(item.criteria)}
            for item in playbook.items
        ],
    }


def _plain_lines(playbooks) -> list[str]:
    if not playbooks:
        return ["No playbooks registered.\n"]
    lines = []
    for playbook in playbooks:
        lines.append(f"{playbook.name} (plugin {playbook.plugin}): {playbook.description}\n")
        key_width = max(len(item.key) for item in playbook.items)
        area_width = max(len(item.area) for item in playbook.items)
        for item in playbook.items:
            count = len(item.criteria)
            lines.append(
                f"  {item.key:<{key_width}}  {item.area:<{area_width}}  {count} criteri{'on' if count == 1 else 'a'}  {item.title}\n"
            )
    return lines


def _print_rich(playbooks) -> None:
    from rich.markup import escape
    from rich.table import Table

    from flowops.cli.output import console

    if not playbooks:
        console().print("No playbooks registered.")
        return
    for playbook in playbooks:
        table = Table(
            title=f"{escape(playbook.name)}  [dim](plugin {escape(str(playbook.plugin))})[/dim]",
            caption=escape(playbook.description),
            title_justify="left",
            caption_justify="left",
        )
        table.add_column("key")
        table.add_column("area")
        table.add_column("criteria", justify="right")
        table.add_column("title")
        for item in playbook.items:
            table.add_row(escape(item.key), escape(item.area), str(len(item.criteria)), escape(item.title))
        console().print(table)
