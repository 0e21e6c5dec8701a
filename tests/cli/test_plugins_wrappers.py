"""pluggy wrapper implementations are refused by name: flowops calls each implementation itself.

A ``wrapper=True`` (or old-style ``hookwrapper=True``) implementation is a generator;
called directly it never runs, ``on_event`` then counted it as a delivery and
``check_transition`` as a veto of every move. Such a plugin is now refused when it is
registered, with a message naming it and the hook, and the other plugins go on.
"""

from __future__ import annotations

import json

import pytest

from flowops.backlog.store import Backlog, NewTask, init_layout
from flowops.hookspecs import hookimpl
from flowops.project import Project


@pytest.fixture
def task(repo):
    init_layout(repo / "backlog", "shop")
    return Backlog(Project(repo)).create(NewTask(title="Checkout service"))


class TimingGuard:
    """A plugin author's idea of timing the other guards: a new-style wrapper."""

    def __init__(self):
        self.ran = False

    @hookimpl(wrapper=True)
    def check_transition(self, task, from_state, to_state, workflow):
        self.ran = True
        return (yield)


class OldStyleObserver:
    @hookimpl(hookwrapper=True)
    def on_event(self, event):
        yield


def test_a_wrapper_on_check_transition_is_refused_and_blocks_nothing(flowops, install_plugin, task):
    install_plugin("timing", TimingGuard())
    result = flowops("workflow advance specify 1")
    assert result.exit_code == 0, result
    assert "TASK-1: To Do -> Specified" in result.stdout
    assert ("warning: plugin 'timing' failed: check_transition is a pluggy wrapper (wrapper=True); flowops calls each "
            "implementation of its hooks itself and cannot run wrappers: make it a plain @hookimpl") in result.stderr


def test_an_old_style_hookwrapper_observer_is_refused_not_counted_as_delivered(flowops, install_plugin, task):
    install_plugin("observer", OldStyleObserver())
    result = flowops("hooks emit deploy.completed --json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["results"] == []
    assert "plugin 'observer' failed: on_event is a pluggy wrapper (hookwrapper=True)" in result.stderr


def test_plugins_list_shows_the_refused_wrapper_plugin_as_failed(flowops, install_plugin, task):
    install_plugin("timing", TimingGuard(), distribution="flowops-timing", version="0.1")
    listed = json.loads(flowops("plugins list --json").stdout)
    entry = next(p for p in listed["plugins"] if p["name"] == "timing")
    assert entry["error"] is not None and "check_transition is a pluggy wrapper" in entry["error"]
