"""The examples in docs/plugins.md work as shown.

Each hook section's Python code is loaded as a plugin module, installed, and used
through the CLI; where the page shows a command's output, the real output is compared
with it.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
import types
from pathlib import Path

import pytest

from flowops import __version__
from flowops.backlog.store import Backlog, NewTask, init_layout
from flowops.project import Project
from tests.support.plugins import EXAMPLE_PLUGIN

PLUGINS_DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"


def section(heading: str) -> str:
    """The text of the ``## `` section whose heading starts with ``heading``, up to the next one."""
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"docs/plugins.md has no section '## {heading}'"
    return match.group(1)


def blocks(body: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", body, re.MULTILINE | re.DOTALL)


def plugin_from(code: str, name: str) -> types.ModuleType:
    """Run documented code as the module ``name``, as if it were an installed plugin module."""
    module = types.ModuleType(name)
    exec(compile(code, f"docs/plugins.md ({name})", "exec"), module.__dict__)
    return module


def sessions(body: str) -> list[tuple[str, list[str]]]:
    """The (command, output lines) pairs of a section's console blocks."""
    pairs: list[tuple[str, list[str]]] = []
    for block in blocks(body, "console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:].split("#")[0].strip(), []))
            else:
                pairs[-1][1].append(line)
    return pairs


def columns(lines: list[str]) -> list[list[str]]:
    # Column widths follow the longest name; the built-ins carry flowops' own version.
    return [line.replace("0.1.0  flowops (built-in)", f"{__version__}  flowops (built-in)").split() for line in lines]


def flowops_args(command: str) -> str:
    assert command.startswith("flowops "), command
    return command[len("flowops "):]


@pytest.fixture
def backlog(repo):
    init_layout(repo / "backlog", "shop")
    return Backlog(Project(repo))


def test_writing_a_plugin_the_freeze_example_installs_and_lists_as_shown(flowops, install_plugin, monkeypatch):
    body = section("Writing a plugin")
    module_code, test_code = blocks(body, "python")
    project = tomllib.loads(blocks(body, "toml")[0])["project"]
    assert project["entry-points"]["flowops"] == {"freeze": "flowops_freeze"}
    freeze = plugin_from(module_code, "flowops_freeze")
    install_plugin("freeze", freeze, distribution=project["name"], version=project["version"])

    ((command, shown),) = sessions(body)
    result = flowops(flowops_args(command))
    assert result.exit_code == 0, result
    assert columns(result.stdout.splitlines()) == columns(shown)

    # The "test a plugin without installing it" snippet runs as written.
    monkeypatch.setitem(sys.modules, "flowops_freeze", freeze)
    exec(compile(test_code, "docs/plugins.md (testing)", "exec"), {})


def test_loading_and_filtering_the_config_and_variable_examples_work(flowops, install_plugin, repo):
    body = section("Loading and filtering")
    (repo / ".flowops").mkdir()
    (repo / ".flowops" / "config.toml").write_text(blocks(body, "toml")[0], encoding="utf-8")
    names = lambda result: [p["name"] for p in json.loads(result.stdout)["plugins"]]  # noqa: E731
    install_plugin("freeze", plugin_from(blocks(section("Writing a plugin"), "python")[0], "flowops_freeze"))
    assert names(flowops("plugins list --json")) == ["sre", "handlers", "criteria-lint", "incidents", "checks", "freeze"]
    only_builtins = flowops("plugins list --json", env={"FLOWOPS_LOAD_PLUGINS": ""})
    assert names(only_builtins) == ["sre", "handlers", "criteria-lint", "incidents", "checks"]
    assert "FLOWOPS_LOAD_PLUGINS= flowops playbooks list" in body


def test_plugins_list_the_documented_output_is_what_the_command_prints(flowops, install_plugin):
    body = section("`flowops plugins list`")
    spec = importlib.util.spec_from_file_location("flowops_example", EXAMPLE_PLUGIN / "flowops_example" / "__init__.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    install_plugin("example", example, distribution="flowops-example", version="1.2.0")
    missing = ModuleNotFoundError("No module named 'flowops_broken_missing_dependency'")
    install_plugin("broken", missing, distribution="flowops-broken", version="0.3.0")

    ((command, shown),) = sessions(body)
    result = flowops(flowops_args(command))
    assert result.exit_code == 0, result
    assert columns(result.stdout.splitlines()) == columns(shown)

    documented = json.loads(blocks(body, "json")[0])["plugins"]
    listed = {row["name"]: row for row in json.loads(flowops("plugins list --json").stdout)["plugins"]}
    for row in documented:
        assert listed[row["name"]] == row


def test_register_commands_the_example_command_runs_as_shown(flowops, install_plugin):
    body = section("`register_commands(")
    install_plugin("deploy-status", plugin_from(blocks(body, "python")[0], "flowops_deploy_status"))
    ((command, shown),) = sessions(body)
    result = flowops(flowops_args(command))
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == shown


def test_register_playbooks_the_example_playbook_is_listed_passes_the_lint_and_is_applied_by_operate(
    flowops, install_plugin, backlog
):
    body = section("`register_playbooks(")
    plugin = install_plugin("security", plugin_from(blocks(body, "python")[0], "flowops_security"))
    (listing, shown), (operate, _) = sessions(body)
    result = flowops(flowops_args(listing))
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    documented = [line for line in shown if line != "..."]
    start = lines.index(documented[0])
    assert lines[start:start + len(documented)] == documented

    from flowops.acceptance.lint import lint_text
    from flowops.ops.playbook import collect_playbooks
    from flowops.plugins import Plugins

    plugins = Plugins()
    plugins.register(plugin, "security", builtin=False)
    plugins.register(__import__("flowops.builtin.criteria_lint", fromlist=["x"]), "criteria-lint", builtin=True)
    for item in collect_playbooks(plugins)["security"].items:
        for criterion in item.criteria:
            assert lint_text(criterion, plugins) == [], criterion

    feature = backlog.create(NewTask(title="Checkout", labels=["workflow:Validated"]))
    args = flowops_args(operate).replace(" 12 ", f" {feature.id} ")
    result = flowops(args + " --json")
    assert result.exit_code == 0, result
    created = {entry["key"]: entry for entry in json.loads(result.stdout)["created"]}
    assert created["security:pentest"]["title"] == "Penetration test for Checkout"
    assert created["security:pentest"]["playbook"] == "security"


def test_register_handler_types_the_example_type_validates_and_delivers(flowops, install_plugin, repo):
    body = section("`register_handler_types(")
    install_plugin("append-file", plugin_from(blocks(body, "python")[0], "flowops_append_file"))
    (repo / ".flowops").mkdir()
    (repo / ".flowops" / "hooks.yaml").write_text(blocks(body, "yaml")[0], encoding="utf-8")
    validated = flowops("hooks validate")
    assert validated.exit_code == 0, validated
    assert "append to ops/events.jsonl" in flowops("hooks list --plain").stdout

    result = flowops("hooks emit deploy.completed --task-id TASK-1 --json")
    assert result.exit_code == 0, result
    (delivered,) = json.loads(result.stdout)["results"]
    assert (delivered["handler"], delivered["kind"], delivered["ok"]) == ("archive", "append", True)
    (line,) = (repo / "ops" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["type"] == "deploy.completed"

    (repo / ".flowops" / "hooks.yaml").write_text(
        blocks(body, "yaml")[0].replace("append: {path: ops/events.jsonl}", "append: {path: ''}"), encoding="utf-8"
    )
    refused = flowops("hooks validate")
    assert refused.exit_code == 2
    assert "path must name a file inside the repository" in refused.stdout + refused.stderr


def test_on_event_the_example_observer_logs_deploy_events_only(flowops, install_plugin, tmp_path, monkeypatch):
    body = section("`on_event(")
    install_plugin("deploy-log", plugin_from(blocks(body, "python")[0], "flowops_deploy_log"))
    log = tmp_path / "deploys.jsonl"
    monkeypatch.setenv("DEPLOY_LOG", str(log))
    ((command, shown),) = sessions(body)
    result = flowops(flowops_args(command))
    assert result.exit_code == 0, result
    first, second = result.stdout.splitlines()
    assert re.fullmatch(r"deploy\.completed [0-9A-Z]{26} recorded", first) and shown[0].startswith("deploy.completed ")
    assert second == shown[1]
    assert flowops("hooks emit task.reviewed --task-id TASK-12").exit_code == 0
    (record,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (record["type"], record["task"], record["spec"]) == ("deploy.completed", "TASK-12", "checkout")


def test_check_transition_the_example_vetoes_with_the_documented_message(flowops, install_plugin, backlog):
    body = section("`check_transition(")
    install_plugin("freeze", plugin_from(blocks(body, "python")[0], "flowops_freeze"))
    (message,) = re.findall(r"`(error: plugin 'freeze' refused .*?)`", body)
    frozen = backlog.create(NewTask(title="Checkout", labels=["workflow:Validated", "change-freeze"]))
    result = flowops(f"workflow check operate {frozen.id}")
    assert result.exit_code == 4
    assert message.replace("TASK-12", frozen.id) in result.stderr.splitlines()
    thawed = backlog.create(NewTask(title="Search", labels=["workflow:Validated"]))
    assert flowops(f"workflow check operate {thawed.id}").exit_code == 0


def test_lint_criterion_the_example_rule_flags_a_placeholder_as_shown(flowops, install_plugin, backlog):
    body = section("`lint_criterion(")
    install_plugin("placeholder", plugin_from(blocks(body, "python")[0], "flowops_placeholder"))
    backlog.create(
        NewTask(
            title="Checkout",
            acceptance_criteria=[
                "`curl -fsS https://shop.example.com/healthz` exits 0",
                "p95 latency stays below TBD ms",
                "docs/runbooks/checkout.md names the on-call rotation",
            ],
        )
    )
    ((command, shown),) = sessions(body)
    result = flowops(flowops_args(command))
    assert result.exit_code == 3, result
    assert result.stdout.splitlines() == shown


def test_register_checks_the_example_check_is_bound_and_verified_as_shown(flowops, install_plugin, backlog, repo):
    body = section("`register_checks(")
    install_plugin("docker-user", plugin_from(blocks(body, "python")[0], "flowops_docker_user"))
    (repo / "Dockerfile").write_text("FROM python:3.12 AS build\nRUN make\nFROM gcr.io/distroless/python3\nUSER 65532\n")
    (repo / "worker.Dockerfile").write_text("FROM golang:1.23\nUSER nobody\nFROM alpine:3.20\nCOPY --from=0 /w /w\n")
    backlog.create(NewTask(title="Container image", acceptance_criteria=["The image runs as a non-root user"]))
    for command, shown in sessions(body):
        result = flowops(flowops_args(command))
        assert result.exit_code == (3 if "verify" in command else 0), result
        assert result.stdout.splitlines() == shown
