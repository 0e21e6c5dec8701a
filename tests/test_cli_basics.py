import subprocess
import sys

import pytest

from flowops import __version__


def test_version_prints_name_and_version(flowops):
    result = flowops("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"flowops {__version__}"


def test_version_does_not_import_heavy_libraries():
    code = (
        "import sys; from flowops.cli import main; rc = main(['--version']);"
        "heavy = [m for m in ('git', 'requests', 'rich', 'yaml') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_unknown_command_is_a_usage_error(flowops):
    result = flowops("no-such-command")
    assert result.exit_code == 2
    assert "no-such-command" in result.stderr


def test_a_command_exit_code_set_with_ctx_exit_is_returned(monkeypatch):
    import click

    from flowops.cli import cli, main

    @cli.command("exit-three-for-test")
    @click.pass_context
    def exit_three(ctx):
        ctx.exit(3)

    try:
        assert main(["exit-three-for-test"]) == 3
    finally:
        cli.commands.pop("exit-three-for-test", None)


def test_a_reported_outcome_exits_with_its_code_and_prints_nothing_more(capsys):
    import click

    from flowops.cli import cli, main
    from flowops.errors import Reported

    @cli.command("report-then-exit-for-test")
    def report_then_exit():
        click.echo("3 criteria unchecked")
        raise Reported(3)

    try:
        assert main(["report-then-exit-for-test"]) == 3
    finally:
        cli.commands.pop("report-then-exit-for-test", None)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("3 criteria unchecked\n", "")


def test_every_builtin_command_and_plugin_is_there():
    """Nothing is skipped quietly: a built-in module that is missing is a broken installation."""
    import importlib

    import click

    from flowops.cli import BUILTIN_COMMANDS
    from flowops.plugins import DEFAULT_PLUGINS, build_plugins

    for module, attr in BUILTIN_COMMANDS.values():
        assert isinstance(getattr(importlib.import_module(module), attr), click.Command)
    plugins = build_plugins()
    assert plugins.failures == []
    assert set(DEFAULT_PLUGINS) <= set(plugins.info)


def test_a_missing_builtin_plugin_is_reported_not_skipped(monkeypatch):
    from flowops import plugins

    monkeypatch.setitem(plugins.DEFAULT_PLUGINS, "gone", "flowops.builtin.no_such_module")
    built = plugins.build_plugins()
    (failure,) = built.failures
    assert failure.plugin == "gone" and failure.builtin
    assert "No module named 'flowops.builtin.no_such_module'" in failure.error


@pytest.mark.parametrize(
    "typo, suggestion",
    [("opertae", "operate"), ("taks", "task"), ("hook", "hooks"), ("workflwo", "workflow"), ("bord", "board")],
)
def test_a_top_level_typo_suggests_the_command(flowops, typo, suggestion):
    result = flowops([typo, "list"])
    assert result.exit_code == 2
    assert f"No such command '{typo}'. Did you mean '{suggestion}'?" in result.stderr


def test_a_top_level_word_like_no_command_gets_no_suggestion(flowops):
    result = flowops("xyzzy")
    assert result.exit_code == 2
    assert "No such command 'xyzzy'." in result.stderr and "Did you mean" not in result.stderr


GROUPS = ["", "task", "hooks", "workflow", "ac", "commands", "decision", "doc", "git", "playbooks", "plugins", "templates",
          "slo"]


@pytest.mark.parametrize("group", GROUPS)
def test_help_lists_every_command_with_its_whole_first_sentence(flowops, group):
    import click

    from flowops.cli import cli

    result = flowops([*group.split(), "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result
    listing = " ".join(result.stdout.split("Commands:\n", 1)[1].split())
    assert "``" not in result.stdout
    context = click.Context(cli)
    command = cli.get_command(context, group) if group else cli
    for name in command.list_commands(context):
        sub = command.get_command(context, name)
        first_sentence = " ".join(sub.get_short_help_str(limit=10_000).split())
        # Wrapped onto continuation lines rather than cut off with "...".
        assert f"{name} {first_sentence}" in listing, (name, listing)


def test_task_help_shows_plain_backticks(flowops):
    result = flowops("task --help")
    assert "Show one task (`flowops task 12` does the same)." in " ".join(result.stdout.split())


def test_the_shutdown_collection_skips_what_a_command_built_and_open_files_are_still_flushed(tmp_path):
    # cli.main registers gc.freeze at exit once per process; what the modules hold is still
    # freed (an open file is closed and flushed), only the final collections skip it.
    out = tmp_path / "unflushed.txt"
    code = f"""
import atexit, gc
from flowops.cli import main
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))  # registered first: runs after flowops' hook
kept = open({str(out)!r}, "w")
kept.write("flushed at teardown")
before = atexit._ncallbacks()
main(["--version"])
main(["--version"])
print("hooks", atexit._ncallbacks() - before)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-2:] == ["hooks 1", "frozen True"]
    assert out.read_text() == "flushed at teardown"
