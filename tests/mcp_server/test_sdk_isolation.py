"""Only `flowops mcp` loads the MCP SDK: other commands start as fast as before, with or without it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

CHECK = """
import sys
from flowops.cli import main

for argv in (["--version"], ["--help"], ["task", "list", "--json"], ["commands", "list", "--json"], ["mcp", "--help"]):
    main(argv)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("mcp", "mcp_types", "pydantic", "anyio"))
print("LOADED:", loaded, file=sys.stderr)
"""


def test_running_other_commands_never_imports_the_sdk(flowops, repo):
    assert flowops("init").exit_code == 0
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=repo, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED: []" in done.stderr


def test_without_the_sdk_flowops_mcp_exits_2_with_the_install_command(flowops, repo, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mcp" else real(name, *a))
    result = flowops("mcp")
    assert result.exit_code == 2, result
    assert result.stderr == ("error: the MCP server needs the mcp SDK, which is not installed\n"
                             "hint: install it: pip install 'flowops[mcp]'\n")
    assert result.stdout == ""


def test_an_sdk_before_2_is_refused_with_the_upgrade_command(flowops, repo, monkeypatch):
    import importlib.metadata

    if importlib.util.find_spec("mcp") is None:
        import pytest

        pytest.skip("needs an installed mcp to stand in for the old one")
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.26.0" if name == "mcp" else real(name))
    result = flowops("mcp")
    assert result.exit_code == 2, result
    assert "needs the mcp SDK 2.x; 1.26.0 is installed" in result.stderr
    assert "pip install -U 'flowops[mcp]'" in result.stderr
