"""`flowops plugins list`: every plugin with version, distribution and hooks; failed ones with their error."""

import json

from flowops import __version__
from flowops.hookspecs import hookimpl

BUILTINS = ["sre", "mlops", "handlers", "criteria-lint", "incidents", "checks"]
ROW_KEYS = {"name", "version", "distribution", "builtin", "module", "hooks", "error"}


class Slack:
    @hookimpl
    def on_event(self, event):
        pass

    @hookimpl
    def check_transition(self, task, from_state, to_state, workflow):
        return None


def test_plain_list_shows_builtins_first_with_version_distribution_and_hooks(flowops, install_plugin):
    install_plugin("slack", Slack())
    result = flowops("plugins list --plain")
    assert result.exit_code == 0, result
    rows = [line.split(None, 3) for line in result.stdout.splitlines()]
    assert [row[0] for row in rows] == [*BUILTINS, "slack"]
    assert rows[0][1:] == [__version__, "flowops", "(built-in)  register_playbooks"]
    assert rows[3][3] == "(built-in)  lint_criterion"
    # A plugin object without a distribution (not installed through pip) shows "-".
    assert rows[4][3] == "(built-in)  check_transition"
    assert rows[5][3] == "(built-in)  register_checks"
    assert rows[6] == ["slack", "-", "-", "check_transition, on_event"]
    assert result.stderr == ""


def test_json_gives_every_plugin_the_same_keys_and_names_the_distribution(flowops, install_plugin):
    install_plugin("slack", Slack(), distribution="flowops-slack", version="2.0.1")
    install_plugin("missing", ImportError("No module named 'slack_sdk'"), distribution="flowops-pager", version="0.9")
    result = flowops("plugins list --json")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)["plugins"]
    assert all(set(row) == ROW_KEYS for row in rows)
    by_name = {row["name"]: row for row in rows}
    assert by_name["handlers"] == {
        "name": "handlers",
        "version": __version__,
        "distribution": "flowops",
        "builtin": True,
        "module": "flowops.builtin.handlers",
        "hooks": ["register_handler_types"],
        "error": None,
    }
    assert by_name["slack"] == {
        "name": "slack",
        "version": "2.0.1",
        "distribution": "flowops-slack",
        "builtin": False,
        "module": Slack.__module__,
        "hooks": ["check_transition", "on_event"],
        "error": None,
    }
    assert by_name["missing"] == {
        "name": "missing",
        "version": "0.9",
        "distribution": "flowops-pager",
        "builtin": False,
        "module": None,
        "hooks": [],
        "error": "ImportError: No module named 'slack_sdk'",
    }
    assert [row["name"] for row in rows] == [*BUILTINS, "missing", "slack"]


def test_a_plugin_that_failed_to_load_is_listed_with_its_error_and_the_listing_exits_0(flowops, install_plugin):
    install_plugin("freeze", ImportError("No module named 'freeze_calendar'"))
    result = flowops("plugins list --plain")
    assert result.exit_code == 0, result
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("freeze ")]
    assert line.split(None, 3)[1:] == ["-", "-", "failed to load: ImportError: No module named 'freeze_calendar'"]
    # Listed as data, so not repeated as a warning.
    assert "freeze" not in result.stderr


def test_a_hookimpl_that_does_not_match_its_hookspec_fails_to_load_with_a_one_line_error(flowops, install_plugin):
    class Misspelt:
        @hookimpl
        def on_event(self, evt):
            pass

    install_plugin("misspelt", Misspelt())
    rows = {row["name"]: row for row in json.loads(flowops("plugins list --json").stdout)["plugins"]}
    error = rows["misspelt"]["error"]
    assert error.startswith("PluginValidationError: ") and "evt" in error
    assert "\n" not in error
    assert rows["misspelt"]["hooks"] == []


def test_disabled_plugins_are_not_listed_whether_by_environment_or_config(flowops, install_plugin, repo):
    install_plugin("slack", Slack())
    names = lambda result: [row["name"] for row in json.loads(result.stdout)["plugins"]]  # noqa: E731
    disabled = flowops("plugins list --json", env={"FLOWOPS_DISABLE_PLUGINS": "slack,sre"})
    assert names(disabled) == ["mlops", "handlers", "criteria-lint", "incidents", "checks"]
    (repo / ".flowops").mkdir()
    (repo / ".flowops" / "config.toml").write_text('[plugins]\ndisable = ["mlops"]\n', encoding="utf-8")
    assert names(flowops("plugins list --json")) == ["sre", "handlers", "criteria-lint", "incidents", "checks", "slack"]


def test_load_only_keeps_the_builtins_and_the_named_external_plugins(flowops, install_plugin, repo):
    install_plugin("slack", Slack())
    install_plugin("pagerduty", Slack())
    names = lambda result: [row["name"] for row in json.loads(result.stdout)["plugins"]]  # noqa: E731
    assert names(flowops("plugins list --json", env={"FLOWOPS_LOAD_PLUGINS": "pagerduty"})) == [*BUILTINS, "pagerduty"]
    assert names(flowops("plugins list --json", env={"FLOWOPS_LOAD_PLUGINS": ""})) == BUILTINS
    (repo / ".flowops").mkdir()
    (repo / ".flowops" / "config.toml").write_text('[plugins]\nload = ["slack"]\n', encoding="utf-8")
    assert names(flowops("plugins list --json")) == [*BUILTINS, "slack"]
    # The environment wins over the config.
    assert names(flowops("plugins list --json", env={"FLOWOPS_LOAD_PLUGINS": "pagerduty"})) == [*BUILTINS, "pagerduty"]


def test_with_every_plugin_disabled_the_list_says_so(flowops, install_plugin):
    result = flowops("plugins list", env={"FLOWOPS_DISABLE_PLUGINS": ",".join(BUILTINS)})
    assert result.exit_code == 0
    assert result.stdout == "No plugins registered.\n"
    assert json.loads(flowops("plugins list --json", env={"FLOWOPS_DISABLE_PLUGINS": ",".join(BUILTINS)}).stdout) == {"plugins": []}


def test_plain_and_json_together_are_a_usage_error(flowops):
    assert flowops("plugins list --plain --json").exit_code == 2
