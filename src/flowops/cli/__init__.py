"""The flowops command line: a thin layer that parses, calls one domain function, renders.

Command groups live in their own modules and are imported only when used, so that
``flowops --version`` and single-task commands start fast.
"""

from __future__ import annotations

import importlib
import sys

import click

from flowops import __version__
from flowops.cli.groups import HelpGroup
from flowops.errors import Reported

# command name -> (module, attribute). Imported on first use.
BUILTIN_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("flowops.cli.init", "init_command"),
    "task": ("flowops.cli.task", "task_group"),
    "search": ("flowops.cli.search", "search_command"),
    "board": ("flowops.cli.board", "board_command"),
    "doctor": ("flowops.cli.doctor", "doctor_command"),
    "doc": ("flowops.cli.doc", "doc_group"),
    "decision": ("flowops.cli.decision", "decision_group"),
    "workflow": ("flowops.cli.workflow", "workflow_group"),
    "plugins": ("flowops.cli.plugins", "plugins_group"),
    "playbooks": ("flowops.cli.playbooks", "playbooks_group"),
    "hooks": ("flowops.cli.hooks", "hooks_group"),
    "git": ("flowops.cli.git", "git_group"),
    "operate": ("flowops.cli.operate", "operate_command"),
    "incident": ("flowops.cli.incident", "incident_group"),
    "ac": ("flowops.cli.ac", "ac_group"),
    "slo": ("flowops.cli.slo", "slo_group"),
    "commands": ("flowops.cli.commands", "commands_group"),
    "mcp": ("flowops.cli.mcp", "mcp_command"),
    "templates": ("flowops.cli.templates", "templates_group"),
    "demo": ("flowops.cli.demo", "demo_command"),
    "discover": ("flowops.cli.discover", "discover_command"),
}


class LazyGroup(HelpGroup):
    """Resolves built-in commands by importing their module on demand, then plugin commands."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plugins_loaded = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(set(BUILTIN_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in BUILTIN_COMMANDS and name not in self.commands:
            module_name, attr = BUILTIN_COMMANDS[name]
            # A built-in that cannot be imported is a broken installation: the error surfaces.
            self.commands[name] = getattr(importlib.import_module(module_name), attr)
        if name not in self.commands:
            self._load_plugin_commands()
        return self.commands.get(name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = click.utils.make_str(args[0])
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            from flowops.cli.suggest import no_such_command

            raise no_such_command(ctx, name, self.list_commands(ctx))
        return super().resolve_command(ctx, args)

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        register_plugin_commands(self)


def register_plugin_commands(group: click.Group) -> None:
    """Let plugins add their commands to ``group`` (their ``register_commands``); failures go to stderr."""
    from flowops.cli.output import warn_plugin_failures
    from flowops.plugins import get_plugins
    from flowops.project import find_project

    try:
        plugins = get_plugins(find_project())
    except Exception as exc:  # a broken config must not make `flowops --help` unusable
        click.echo(f"warning: plugins not loaded: {exc}", err=True)
        return
    plugins.call_each("register_commands", cli=group)
    # Load failures too: a plugin whose command is missing may simply have failed to import.
    warn_plugin_failures(plugins)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="flowops", message="%(prog)s %(version)s")
@click.option(
    "--no-hooks",
    is_flag=True,
    envvar="FLOWOPS_NO_HOOKS",
    help="Record events in the audit log but deliver them to no handler (also FLOWOPS_NO_HOOKS=1).",
)
@click.pass_context
def cli(ctx: click.Context, no_hooks: bool) -> None:
    """flowops: tasks, workflow states, operations playbooks and events for the ops phase."""
    ctx.ensure_object(dict)
    ctx.obj["no_hooks"] = no_hooks


@cli.result_callback()
@click.pass_context
def _raise_owed_exit(ctx: click.Context, result, **_params):
    # A command can finish its work and still owe exit 1 (a required event handler failed
    # after its write): its emitter recorded that (owe_exit), and it is raised here, once
    # the command's output is complete.
    code = int(ctx.meta.get(_OWED, 0))
    if code:
        raise Reported(code)
    return result


_OWED = "flowops.owed_exit"


def owe_exit(ctx: click.Context, code: int) -> None:
    """Record that the command owes exit ``code`` once it has returned (the highest wins)."""
    ctx.meta[_OWED] = max(int(ctx.meta.get(_OWED, 0)), code)


_FREEZE_REGISTERED: list[bool] = []


def _freeze_at_exit() -> None:
    """Have the interpreter's shutdown skip its cyclic collection of what the process built (registered once per process).

    Finalising, Python runs a full collection over every object the collector tracks:
    ~2-3 ms after ``--version`` or ``task view``, ~4 ms after a 10,000-task search. The
    atexit hook (run after any registered later, a plugin's say) freezes those objects out
    of it (gc.freeze); the modules are still cleared at shutdown and what they hold freed by
    reference counting as before, open files closed and flushed. Only cycles nothing reaches
    any more when the hook runs are left for the OS to reclaim (after these commands a
    collection at that point finds none).
    """
    if not _FREEZE_REGISTERED:
        import atexit
        import gc

        atexit.register(gc.freeze)
        _FREEZE_REGISTERED.append(True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (used by the console script and tests)."""
    import gc

    from flowops.cli.errors import run_cli

    # A command is short-lived and holds up to tens of thousands of task objects; the
    # cyclic collector would rescan them over and over (it doubled a 10,000-task listing).
    # Reference counting still frees everything; the collector is back on afterwards.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    _freeze_at_exit()
    try:
        return run_cli(cli, argv)
    finally:
        if gc_was_enabled:
            gc.enable()
        # Plugin failures no part of the command reported (e.g. a plugin that failed to
        # import while a command only listed hook handlers): one line each, once.
        if "flowops.plugins" in sys.modules:
            from flowops.cli.output import warn_plugin_failures

            warn_plugin_failures()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
