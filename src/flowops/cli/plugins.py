"""``flowops plugins``: which plugins are installed, where they come from, what they implement."""

from __future__ import annotations

import click

from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, write


@click.group("plugins", cls=HelpGroup)
def plugins_group() -> None:
    """Installed plugins: the built-in ones and those of the `flowops` entry-point group.

    FLOWOPS_LOAD_PLUGINS=a,b loads only those external plugins, FLOWOPS_DISABLE_PLUGINS=a,b
    blocks some (built-ins too); config keys plugins.load and plugins.disable do the same.
    """


@plugins_group.command("list")
@output_options
def list_command(plain: bool, as_json: bool) -> None:
    """List every plugin with its version, distribution and the hooks it implements.

    Plugins that failed to load are listed with their error; listing them is not a
    failure (exit 0).
    """
    from flowops.plugins import get_plugins
    from flowops.project import find_project

    mode = resolve_mode(plain, as_json)
    plugins = get_plugins(find_project())
    rows = plugin_rows(plugins)
    # Shown here as data; the end-of-command report must not repeat them on stderr.
    plugins.unreported(f for f in plugins.failures if f.hook is None)
    if mode == "json":
        print_json({"plugins": rows})
    elif mode == "rich":
        _print_rich(rows)
    else:
        write("".join(_plain_lines(rows)))


def plugin_rows(plugins) -> list[dict]:
    """One dict per plugin (stable keys), failed ones with their ``error``.

    Built-ins come first in registration order, then the others by name.
    """
    rows = [
        {
            "name": info.name,
            "version": info.version,
            "distribution": info.distribution,
            "builtin": info.builtin,
            "module": info.module,
            "hooks": list(info.hooks),
            "error": None,
        }
        for info in plugins.info.values()
    ]
    rows += [
        {
            "name": failure.plugin,
            "version": failure.version,
            "distribution": failure.distribution,
            "builtin": failure.builtin,
            "module": None,
            "hooks": [],
            "error": failure.error,
        }
        for failure in plugins.failures
        if failure.hook is None  # failed to load; a hook that raised belongs to a loaded plugin
    ]
    builtins = [row for row in rows if row["builtin"]]
    others = sorted((row for row in rows if not row["builtin"]), key=lambda row: row["name"])
    return builtins + others


def _source(row: dict) -> str:
    source = row["distribution"] or "-"
    return f"{source} (built-in)" if row["builtin"] else source


def _plain_lines(rows: list[dict]) -> list[str]:
    if not rows:
        return ["No plugins registered.\n"]
    name_width = max(len(row["name"]) for row in rows)
    version_width = max(len(row["version"] or "-") for row in rows)
    source_width = max(len(_source(row)) for row in rows)
    lines = []
    for row in rows:
        what = f"failed to load: {row['error']}" if row["error"] else ", ".join(row["hooks"]) or "no hooks"
        lines.append(
            f"{row['name']:<{name_width}}  {row['version'] or '-':<{version_width}}  {_source(row):<{source_width}}  {what}\n"
        )
    return lines


def _print_rich(rows: list[dict]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from flowops.cli.output import console

    if not rows:
        console().print("No plugins registered.")
        return
    table = Table("name", "version", "distribution", "hooks", title="flowops plugins", title_justify="left")
    for row in rows:
        if row["error"]:
            what = f"[red]failed to load: {escape(row['error'])}[/red]"
        else:
            what = escape(", ".join(row["hooks"])) or "[dim]no hooks[/dim]"
        table.add_row(escape(row["name"]), escape(row["version"] or "-"), escape(_source(row)), what)
    console().print(table)
