"""Test helpers for plugins: fake entry points for in-process runs, real distributions for subprocess runs.

- ``install_plugin`` (a fixture, registered for every test by tests/conftest.py) makes the
  manager find plugin objects as if an installed distribution declared them.
- ``install_distribution`` installs a plugin source tree (a pyproject.toml and its
  package) into a folder the way an installer lays out a wheel: the package files plus
  a ``.dist-info`` with METADATA, entry_points.txt and RECORD. Put that folder on
  PYTHONPATH and a ``flowops`` process finds the plugin through importlib.metadata,
  with no network, no build backend and no pip.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

EXAMPLE_PLUGIN = Path(__file__).resolve().parent.parent / "data" / "example_plugin"


class FakeEntryPoint:
    """Stands in for an installed distribution's `[project.entry-points.flowops]` entry.

    ``plugin`` is what ``load()`` returns, or an exception it raises (a plugin that
    fails to import). ``dist`` has the ``name`` and ``version`` of the distribution,
    or is None as for a plugin that was never installed.
    """

    def __init__(self, name, plugin, dist=None):
        self.name = name
        self._plugin = plugin
        self.dist = dist

    def load(self):
        if isinstance(self._plugin, BaseException):
            raise self._plugin
        return self._plugin


@pytest.fixture
def install_plugin(monkeypatch):
    """``install_plugin(name, plugin)``: the next CLI run loads ``plugin`` as the entry point ``name``.

    ``distribution="flowops-x", version="1.0"`` say which distribution declares it.
    Returns the plugin, so a test can keep what it recorded.
    """
    from flowops.cli import cli

    monkeypatch.delenv("FLOWOPS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("FLOWOPS_DISABLE_PLUGINS", raising=False)
    installed = []
    monkeypatch.setattr("flowops.plugins._entry_points", lambda: list(installed))
    # The root group is one object for the whole test session and asks plugins for
    # commands once: start this test from a group that has not asked yet.
    monkeypatch.setattr(cli, "commands", {})
    monkeypatch.setattr(cli, "_plugins_loaded", False)

    def install(name, plugin, *, distribution=None, version=None):
        dist = SimpleNamespace(name=distribution, version=version) if distribution else None
        installed.append(FakeEntryPoint(name, plugin, dist))
        return plugin

    return install


def install_distribution(source: Path, site: Path) -> Path:
    """Install the plugin project in ``source`` into ``site``; return its ``.dist-info`` folder.

    Name, version, summary and entry points come from ``source/pyproject.toml``; the
    top-level modules named by the entry points are copied (a package folder or a
    single ``.py`` file), as a wheel built from ``source`` would hold them.
    """
    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    files: dict[str, bytes] = {}
    groups = project.get("entry-points", {})
    for top in sorted({value.split(":")[0].split(".")[0] for group in groups.values() for value in group.values()}):
        package = source / top
        if package.is_dir():
            for path in sorted(package.rglob("*.py")):
                files[path.relative_to(source).as_posix()] = path.read_bytes()
        else:
            files[f"{top}.py"] = (source / f"{top}.py").read_bytes()
    return write_distribution(
        site,
        project["name"],
        project["version"],
        files,
        groups,
        summary=project.get("description", ""),
        requires=project.get("dependencies", []),
    )


def write_distribution(
    site: Path,
    name: str,
    version: str,
    files: dict[str, bytes | str],
    entry_points: dict[str, dict[str, str]],
    *,
    summary: str = "",
    requires: list[str] = (),
) -> Path:
    """Write ``files`` (relative path -> content) and their ``.dist-info`` into ``site``."""
    site.mkdir(parents=True, exist_ok=True)
    dist_info = f"{re.sub(r'[-_.]+', '_', name)}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if summary:
        metadata.append(f"Summary: {summary}")
    metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
    entry_points_text = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in points.items()) + "\n"
        for group, points in entry_points.items()
    )
    written = dict(files)
    written[f"{dist_info}/METADATA"] = "\n".join(metadata) + "\n"
    written[f"{dist_info}/entry_points.txt"] = entry_points_text
    written[f"{dist_info}/INSTALLER"] = "flowops-tests\n"
    record = []
    for relative, content in written.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        record.append(f"{relative},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    (site / dist_info / "RECORD").write_text("\n".join(record) + "\n", encoding="utf-8")
    return site / dist_info
