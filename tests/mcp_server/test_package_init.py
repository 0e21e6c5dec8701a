"""A package whose __init__ is deferred: submodules import without it, its exports appear on first use."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowops.mcp_server.package_init import defer_init


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package `deferpkg` (with a subpackage `sub`) whose __init__s count their runs and export names."""
    root = tmp_path / "deferpkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text(textwrap.dedent("""
        import builtins
        builtins.deferpkg_runs = getattr(builtins, "deferpkg_runs", 0) + 1
        from .leaf import VALUE as EXPORTED
    """))
    (root / "leaf.py").write_text("VALUE = 42\n")
    (root / "sub" / "__init__.py").write_text("from .inner import NAME as SUB_EXPORTED\n")
    (root / "sub" / "inner.py").write_text("NAME = 'inner'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "deferpkg"
    import builtins

    for name in [n for n in sys.modules if n == "deferpkg" or n.startswith("deferpkg.")]:
        del sys.modules[name]
    if hasattr(builtins, "deferpkg_runs"):
        del builtins.deferpkg_runs


def runs() -> int:
    import builtins

    return getattr(builtins, "deferpkg_runs", 0)


def test_a_submodule_imports_without_running_the_package_init(package):
    assert defer_init(package) is True
    leaf = importlib.import_module("deferpkg.leaf")
    assert leaf.VALUE == 42
    assert runs() == 0


def test_the_first_name_asked_for_runs_the_init_once_in_the_same_module(package):
    defer_init(package)
    module = sys.modules[package]
    from deferpkg import EXPORTED  # type: ignore[import-not-found]  # the import asks the module for the name

    assert EXPORTED == 42
    assert runs() == 1
    assert sys.modules[package] is module
    assert module.EXPORTED == 42 and runs() == 1
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        module.missing  # noqa: B018
    assert runs() == 1


def test_a_subpackage_is_deferred_after_its_parent(package):
    assert defer_init("deferpkg.sub") is False  # the parent is not registered yet: nothing changes
    assert "deferpkg" not in sys.modules
    assert defer_init(package) and defer_init("deferpkg.sub")
    inner = importlib.import_module("deferpkg.sub.inner")
    assert inner.NAME == "inner" and runs() == 0
    assert sys.modules[package].sub is sys.modules["deferpkg.sub"]
    from deferpkg.sub import SUB_EXPORTED  # type: ignore[import-not-found]

    assert SUB_EXPORTED == "inner"
    assert runs() == 0  # the subpackage's __init__ ran, its parent's did not need to


def test_an_imported_package_or_a_plain_module_is_left_alone(package):
    importlib.import_module(package)
    assert defer_init(package) is False
    assert runs() == 1
    assert defer_init("json.decoder") is False
    assert defer_init("no_such_package_here") is False


SERVER_IMPORT = """
import sys
import flowops.mcp_server.server
loaded = sorted(n for n in sys.modules if n.startswith(("mcp.client", "mcp.server.mcpserver", "mcp.cli")))
print("LOADED:", loaded)
import mcp
from mcp.server import MCPServer
print("EXPORTS:", mcp.ClientSession.__name__, MCPServer.__name__, mcp.types.Tool is mcp.Tool)
"""


@pytest.mark.skipif(importlib.util.find_spec("mcp") is None, reason="needs the mcp SDK")
def test_the_server_imports_neither_the_sdk_client_nor_its_high_level_server_yet_both_stay_importable():
    done = subprocess.run([sys.executable, "-c", SERVER_IMPORT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED: []" in done.stdout
    assert "EXPORTS: ClientSession MCPServer True" in done.stdout
