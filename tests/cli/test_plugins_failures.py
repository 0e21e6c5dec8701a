"""A broken plugin is named once per command, with its error, and the command and the other plugins go on."""

import click
import pytest

from flowops.backlog.store import Backlog, NewTask, init_layout
from flowops.hookspecs import hookimpl
from flowops.project import Project

IMPORT_FAILURE = "warning: plugin 'freeze' failed: ImportError: No module named 'freeze_calendar'"


@pytest.fixture
def task(repo):
    init_layout(repo / "backlog", "shop")
    return Backlog(Project(repo)).create(NewTask(title="Checkout service", acceptance_criteria=["p95 below 300 ms"]))


class Hello:
    @hookimpl
    def register_commands(self, cli):
        @cli.command("hello")
        def hello():
            click.echo("hello from a plugin")


class Raising:
    @hookimpl
    def register_commands(self, cli):
        raise RuntimeError("no commands today")

    @hookimpl
    def on_event(self, event):
        raise RuntimeError("observer down")

    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        raise RuntimeError("guard down")


@pytest.mark.parametrize(
    "command",
    [
        "hooks emit deploy.completed",
        "hooks list",
        "playbooks list",
        "--help",
        "task create Ship",
        # Four events (updated, ac_checked, status_changed, completed), one warning.
        "task edit 1 --check-ac 1 -s Done",
        "workflow check specify 1",
        "workflow advance specify 1",
        "--no-hooks workflow advance specify 1",
    ],
)
def test_a_plugin_that_failed_to_import_is_named_once_and_the_command_goes_on(flowops, install_plugin, task, command):
    install_plugin("freeze", ImportError("No module named 'freeze_calendar'"))
    result = flowops(command)
    assert result.exit_code == 0, result
    assert result.stderr.splitlines().count(IMPORT_FAILURE) == 1, result
    assert "freeze" not in result.stderr.replace(IMPORT_FAILURE, "")


def test_a_command_that_uses_no_plugin_does_not_load_them(flowops, install_plugin, task):
    install_plugin("freeze", ImportError("No module named 'freeze_calendar'"))
    result = flowops("task list --plain")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_a_missing_plugin_command_is_explained_by_the_plugin_that_failed_to_load(flowops, install_plugin):
    install_plugin("freeze", ImportError("No module named 'freeze_calendar'"))
    result = flowops("freeze-status")
    assert result.exit_code == 2
    assert "No such command 'freeze-status'" in result.stderr
    assert result.stderr.splitlines().count(IMPORT_FAILURE) == 1


def test_a_hook_that_raises_is_named_once_and_the_other_plugins_commands_work(flowops, install_plugin):
    install_plugin("raising", Raising())
    install_plugin("hello", Hello())
    result = flowops("hello")
    assert result.exit_code == 0, result
    assert result.stdout == "hello from a plugin\n"
    assert result.stderr == "warning: plugin 'raising' failed in hook register_commands: RuntimeError: no commands today\n"


def test_an_observer_that_raises_is_reported_as_a_failed_delivery_not_again_as_a_warning(flowops, install_plugin, task):
    install_plugin("raising", Raising())
    result = flowops("task create Ship")
    assert result.exit_code == 0, result
    assert result.stderr == "error: event task.created: handler raising: failed: RuntimeError: observer down\n"


def test_a_guard_that_raises_is_named_once_and_the_move_goes_on(flowops, install_plugin, task):
    install_plugin("raising", Raising())
    result = flowops("--no-hooks workflow advance specify 1")
    assert result.exit_code == 0, result
    assert result.stderr == "warning: plugin 'raising' failed in hook check_transition: RuntimeError: guard down\n"
    assert "TASK-1: To Do -> Specified" in result.stdout
