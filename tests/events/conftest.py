"""Fixtures for the event tests: a project in a real git repository, hooks.yaml, test plugins."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flowops.hookspecs import hookimpl
from flowops.plugins import get_plugins, reset_plugins
from flowops.project import Project
from tests.support.state import audit_log


@pytest.fixture
def project(repo: Path, monkeypatch) -> Project:
    """A flowops project rooted at the ``repo`` fixture (an empty git repository)."""
    monkeypatch.delenv("FLOWOPS_ROOT", raising=False)
    monkeypatch.delenv("FLOWOPS_NO_HOOKS", raising=False)
    monkeypatch.chdir(repo)
    (repo / ".flowops").mkdir()
    reset_plugins()
    yield Project(repo)
    reset_plugins()


@pytest.fixture
def write_hooks(repo: Path):
    """Write ``.flowops/hooks.yaml`` (text is dedented); returns its path."""

    def write(text: str) -> Path:
        path = repo / ".flowops" / "hooks.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def script(repo: Path):
    """Create an executable shell script in the repository: ``script("scripts/x.sh", "echo hi")``."""

    def make(relative: str, body: str) -> Path:
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n" + textwrap.dedent(body).lstrip(), encoding="utf-8")
        path.chmod(0o755)
        return path

    return make


def audit_records(repo: Path) -> list[dict]:
    path = audit_log(repo)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Recorder:
    """A plugin that records every event it observes (datasette's test plugin is the model)."""

    events: list = field(default_factory=list)

    @hookimpl
    def on_event(self, event):
        self.events.append(event)


class Raiser:
    """A plugin whose observer always fails."""

    @hookimpl
    def on_event(self, event):
        raise RuntimeError("observer exploded")


@dataclass
class FakeEntryPoint:
    """Stands for an installed distribution's ``flowops`` entry point."""

    name: str
    plugin: object
    dist: object = None

    def load(self):
        return self.plugin


@pytest.fixture
def installed_plugins(monkeypatch):
    """Install plugins as if through entry points: ``installed_plugins(name=plugin, ...)``.

    Used for in-process CLI runs, which rebuild the plugin manager.
    """

    def install(**plugins):
        points = [FakeEntryPoint(name, plugin) for name, plugin in plugins.items()]
        monkeypatch.setattr("flowops.plugins._entry_points", lambda: list(points))
        reset_plugins()

    return install


def register(project: Project, plugin: object, name: str) -> None:
    """Register ``plugin`` with the project's plugin manager (for calls to the Python API)."""
    get_plugins(project).register(plugin, name, builtin=False)
