"""The server's process: what it does before it serves."""

from __future__ import annotations

import gc
import importlib.util

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mcp") is None, reason="needs the mcp SDK")


def test_the_server_serves_with_the_cyclic_collector_on_though_the_cli_turned_it_off(monkeypatch, tmp_path):
    from flowops.mcp_server import server

    seen: dict[str, int] = {}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(server.anyio, "run", lambda main: seen.update(collecting=gc.isenabled(), frozen=gc.get_freeze_count()))
    was_enabled = gc.isenabled()
    gc.disable()  # as flowops.cli.main does for every command, `flowops mcp` included
    try:
        server.serve()
    finally:
        gc.unfreeze()
        if not was_enabled:
            gc.disable()
        else:
            gc.enable()
    assert seen["collecting"] is True
    assert seen["frozen"] > 0  # what start-up built is left out of every collection
