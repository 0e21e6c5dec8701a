"""Fixtures for the operations domain tests: sample alert files and plugin managers."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.plugins import build_plugins

ALERTS_DIR = Path(__file__).resolve().parents[1] / "data" / "alerts"


@pytest.fixture
def alerts_dir() -> Path:
    return ALERTS_DIR


@pytest.fixture
def plugins_with(monkeypatch):
    """``plugins_with(name=plugin, ...)``: the built-ins plus the given third-party plugins."""
    monkeypatch.delenv("FLOWOPS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("FLOWOPS_DISABLE_PLUGINS", raising=False)

    def build(**extra):
        plugins = build_plugins(entry_points=lambda: [])
        for name, plugin in extra.items():
            plugins.register(plugin, name, builtin=False)
        return plugins

    return build
