"""A real plugin distribution (tests/data/example_plugin), installed and used through the `flowops` command.

The distribution is installed into a temporary folder as an installer lays out a wheel
(package files plus a .dist-info with entry_points.txt); each command runs in a new
Python process with that folder on PYTHONPATH, so flowops finds the plugin through
importlib.metadata exactly as it finds a pip-installed one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowops.backlog.store import Backlog, NewTask, init_layout
from flowops.project import Project
from tests.support.plugins import EXAMPLE_PLUGIN, install_distribution, write_distribution

BROKEN_LINE = "warning: plugin 'broken' failed: ModuleNotFoundError: No module named 'flowops_broken_missing_dependency'"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("example-site")
    install_distribution(EXAMPLE_PLUGIN, site)
    return site


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """A distribution whose plugin module imports a dependency that is not installed."""
    site = tmp_path_factory.mktemp("broken-site")
    write_distribution(
        site,
        "flowops-broken",
        "0.3.0",
        {"flowops_broken/__init__.py": "import flowops_broken_missing_dependency  # never installed\n"},
        {"flowops": {"broken": "flowops_broken"}},
    )
    return site


@pytest.fixture
def run(repo):
    """``run(args, *sites, **env)``: a `flowops` process in ``repo`` with ``sites`` on PYTHONPATH."""

    def call(args: str, *sites: Path, **env: str) -> subprocess.CompletedProcess:
        environment = {key: value for key, value in os.environ.items() if (not key.startswith("FLOWOPS_") or key == "FLOWOPS_CACHE_DIR")}
        paths = [*(str(site) for site in sites), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        environment["PYTHONPATH"] = os.pathsep.join(paths)
        environment.update(env)
        return subprocess.run(
            [sys.executable, "-m", "flowops", *args.split()],
            cwd=repo,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return call


def test_the_plugin_command_runs_and_is_listed_in_help(run, example_site):
    result = run("example Ada", example_site)
    assert (result.returncode, result.stdout, result.stderr) == (0, "hello Ada, from flowops-example\n", "")
    assert "Greet NAME (a command added by the flowops-example plugin)." in run("--help", example_site).stdout


def test_the_plugin_playbook_is_listed_with_the_plugin_that_gives_it(run, example_site):
    result = run("playbooks list --json", example_site)
    assert result.returncode == 0, result.stderr
    playbooks = {p["name"]: p for p in json.loads(result.stdout)["playbooks"]}
    assert playbooks["release-readiness"]["plugin"] == "example"
    assert [item["key"] for item in playbooks["release-readiness"]["items"]] == ["release:rollback-drill"]
    assert {"sre", "mlops"} <= set(playbooks)


def test_operate_applies_the_plugin_playbook_by_name(run, example_site, repo):
    init_layout(repo / "backlog", "shop")
    feature = Backlog(Project(repo)).create(NewTask(title="Checkout", labels=["workflow:Validated"]))
    result = run(f"operate {feature.id} --playbook release-readiness --json", example_site)
    assert result.returncode == 0, result.stderr
    (created,) = json.loads(result.stdout)["created"]
    assert (created["playbook"], created["key"], created["title"]) == (
        "release-readiness",
        "release:rollback-drill",
        "Rollback drill for Checkout",
    )
    task = Backlog(Project(repo)).get(created["id"])
    assert "ops:release:rollback-drill" in task.labels
    assert [c.text for c in task.acceptance_criteria][0].startswith("`kubectl rollout undo` in staging")


def test_the_plugin_observer_receives_an_emitted_event(run, example_site, repo, tmp_path):
    seen = tmp_path / "events.jsonl"
    result = run("hooks emit x.y --task-id TASK-3 --data region=eu --json", example_site, FLOWOPS_EXAMPLE_EVENTS=str(seen))
    assert result.returncode == 0, result.stderr
    emitted = json.loads(result.stdout)
    assert {"handler": "example", "ok": True}.items() <= emitted["results"][0].items()
    (record,) = [json.loads(line) for line in seen.read_text(encoding="utf-8").splitlines()]
    assert record["id"] == emitted["event"]["id"]
    assert (record["type"], record["subject"], record["data"]["region"]) == ("x.y", "TASK-3", "eu")


def test_plugins_list_shows_the_version_distribution_and_hooks(run, example_site):
    result = run("plugins list --json", example_site)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["plugins"]}
    assert rows["example"] == {
        "name": "example",
        "version": "1.2.0",
        "distribution": "flowops-example",
        "builtin": False,
        "module": "flowops_example",
        "hooks": ["on_event", "register_commands", "register_playbooks"],
        "error": None,
    }


def test_the_disable_and_load_filters_apply_to_the_installed_plugin(run, example_site):
    def names(**env):
        result = run("plugins list --json", example_site, **env)
        assert result.returncode == 0, result.stderr
        return [row["name"] for row in json.loads(result.stdout)["plugins"]]

    assert "example" not in names(FLOWOPS_DISABLE_PLUGINS="example")
    assert "example" not in names(FLOWOPS_LOAD_PLUGINS="someone-else")
    assert "example" in names(FLOWOPS_LOAD_PLUGINS="example")
    disabled = run("example", example_site, FLOWOPS_DISABLE_PLUGINS="example")
    assert disabled.returncode == 2 and "No such command 'example'" in disabled.stderr


def test_a_plugin_that_fails_to_import_is_named_while_the_others_work(run, example_site, broken_site):
    command = run("example", example_site, broken_site)
    assert (command.returncode, command.stdout) == (0, "hello world, from flowops-example\n")
    assert command.stderr.splitlines() == [BROKEN_LINE]

    emitted = run("hooks emit x.y", example_site, broken_site)
    assert emitted.returncode == 0
    assert emitted.stderr.splitlines() == [BROKEN_LINE]

    listed = run("plugins list --plain", example_site, broken_site)
    assert listed.returncode == 0
    (line,) = [line for line in listed.stdout.splitlines() if line.startswith("broken ")]
    assert line.split(None, 3)[1:] == [
        "0.3.0",
        "flowops-broken",
        "failed to load: ModuleNotFoundError: No module named 'flowops_broken_missing_dependency'",
    ]
    assert any(line.startswith("example ") for line in listed.stdout.splitlines())
