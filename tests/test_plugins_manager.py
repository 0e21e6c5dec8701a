"""The plugin manager's bookkeeping: one manager per project, each failure reported once, hook names checked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowops.cli.output import warn
from flowops.hookspecs import hookimpl
from flowops.plugins import Plugins, build_plugins, get_plugins, reset_plugins
from flowops.project import Project
from tests.support.plugins import FakeEntryPoint


@pytest.fixture(autouse=True)
def fresh_managers(monkeypatch):
    monkeypatch.delenv("FLOWOPS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("FLOWOPS_DISABLE_PLUGINS", raising=False)
    monkeypatch.setattr("flowops.plugins._entry_points", lambda: [])
    reset_plugins()
    yield
    reset_plugins()


class Crashing:
    @hookimpl
    def lint_criterion(self, text):
        raise RuntimeError("rule\nexploded")


def test_each_failure_is_handed_out_once(capsys):
    plugins = build_plugins(entry_points=lambda: [FakeEntryPoint("gone", ImportError("No module named 'gone'"))])
    plugins.register(Crashing(), "crashing", builtin=False)
    (load_failure,) = plugins.unreported()
    assert str(load_failure) == "plugin 'gone' failed: ImportError: No module named 'gone'"
    assert plugins.unreported() == []

    plugins.call_each("lint_criterion", text="x")
    plugins.call_each("lint_criterion", text="y")
    assert [f.hook for f in plugins.unreported()] == ["lint_criterion", "lint_criterion"]
    assert plugins.unreported() == []


def test_a_failure_shown_with_warn_is_not_handed_out_again(capsys):
    plugins = Plugins()
    plugins.register(Crashing(), "crashing", builtin=False)
    plugins.call_each("lint_criterion", text="x")
    (failure,) = plugins.failures
    warn(failure)
    assert capsys.readouterr().err == "warning: plugin 'crashing' failed in hook lint_criterion: RuntimeError: rule exploded\n"
    assert plugins.unreported() == []


def test_one_manager_serves_every_project_object_of_one_root(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = get_plugins(Project(tmp_path / "a"))
    assert get_plugins(Project(tmp_path / "a" / ".." / "a")) is first
    assert get_plugins(Project(tmp_path / "b")) is not first


def test_a_hook_name_that_is_no_hookspec_refuses_the_plugin_and_names_the_hooks():
    class Misspelt:
        # Marked with a call, not a decorator: tests/test_hookspecs.py rejects decorated
        # hookimpls with unknown names in the tests, and this typo is deliberate.
        on_events = hookimpl(lambda self, event: None)

        @hookimpl
        def lint_criterion(self, text):
            return None

    plugins = Plugins()
    plugins.register(Misspelt(), "misspelt", builtin=False, version="1.0", distribution="flowops-misspelt")
    assert "misspelt" not in plugins.info
    assert plugins.pm.get_plugin("misspelt") is None  # its lint_criterion is not called either
    (failure,) = plugins.failures
    assert (failure.plugin, failure.hook, failure.version, failure.distribution) == ("misspelt", None, "1.0", "flowops-misspelt")
    assert failure.error.startswith("PluginValidationError: on_events is not a flowops hook (hooks: check_transition, ")
    assert "optionalhook=True" in failure.error


def test_a_hook_marked_optional_may_name_a_hook_this_flowops_does_not_have():
    class Future:
        @hookimpl(optionalhook=True)
        def on_release(self, release):
            pass

        @hookimpl
        def on_event(self, event):
            pass

    plugins = Plugins()
    plugins.register(Future(), "future", builtin=False)
    assert plugins.failures == []
    assert plugins.info["future"].hooks == ["on_event", "on_release"]


def test_building_the_manager_leaves_the_lint_patterns_uncompiled_until_a_lint():
    # Every command that uses plugins (git hooks included) imports the criteria lint;
    # only `flowops ac lint` should pay for compiling its patterns. A fresh process, so
    # no earlier test has linted already.
    probe = (
        "from flowops.plugins import build_plugins\n"
        "from flowops.acceptance.lint import lint_text\n"
        "import flowops.builtin.criteria_lint as rules\n"
        "plugins = build_plugins()\n"
        "patterns = [p for _k, _c, p in rules._MEASURABLE] + [p for p, _f in rules._VAGUE] + [p for p, _e in rules._TOPIC_EXAMPLES]\n"
        "print(sum(p._compiled is not None for p in patterns), len(patterns))\n"
        "lint_text('Runbook exists', plugins)\n"
        "print(sum(p._compiled is not None for p in patterns))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=_without_flowops_env(), check=True)
    before, after = result.stdout.splitlines()
    compiled, total = map(int, before.split())
    assert compiled == 0 and total > 30
    assert int(after) > 0


def _without_flowops_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if (not key.startswith("FLOWOPS_") or key == "FLOWOPS_CACHE_DIR")}


def test_the_plugin_manager_and_the_domain_never_load_the_command_line():
    """The CLI depends on the plugin manager, not the other way round: plugin commands are registered from cli/."""
    code = (
        "import sys, flowops.plugins, flowops.tasks, flowops.events.bus;"
        "flowops.plugins.build_plugins();"
        "print(sorted(m for m in sys.modules if m == 'flowops.cli' or m.startswith('flowops.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"



def test_the_declared_builtin_observers_are_exactly_the_builtins_that_implement_on_event():
    # may_observe trusts BUILTIN_OBSERVERS so that an emit need not import the built-ins to know.
    from flowops.events.bus import observers
    from flowops.plugins import BUILTIN_OBSERVERS

    assert set(observers(build_plugins())) == set(BUILTIN_OBSERVERS)


def test_plugins_may_observe_only_with_a_manager_built_an_entry_point_or_an_enabled_builtin_observer(tmp_path, monkeypatch):
    from flowops.plugins import may_observe

    project = Project(tmp_path)
    assert may_observe(project) is False
    monkeypatch.setattr("flowops.plugins.BUILTIN_OBSERVERS", frozenset({"handlers"}))
    assert may_observe(project) is True
    monkeypatch.setenv("FLOWOPS_DISABLE_PLUGINS", "handlers")
    assert may_observe(project) is False
    monkeypatch.setattr("flowops.plugins._entry_points", lambda: [FakeEntryPoint("recorder", Crashing())])
    assert may_observe(project) is False  # what is installed is looked up once per process...
    reset_plugins()
    assert may_observe(project) is True  # ...and again after reset_plugins (installing a plugin in-process)
    monkeypatch.setattr("flowops.plugins._entry_points", lambda: [])
    reset_plugins()
    assert may_observe(project) is False
    get_plugins(project)  # plugins registered in-process into this manager must still observe
    assert may_observe(Project(tmp_path)) is True
