"""Fixtures shared by every test package. Package-specific fixtures live in that package's conftest."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_flowops


@pytest.fixture(scope="session", autouse=True)
def _session_cache_dir(tmp_path_factory):
    """FLOWOPS_CACHE_DIR for fixtures wider than a test (module-scoped interop backlogs) too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLOWOPS_CACHE_DIR", str(tmp_path_factory.mktemp("flowops-cache-session")))
        yield


@pytest.fixture(autouse=True)
def user_cache_dir(tmp_path_factory, monkeypatch) -> Path:
    """Caches go to a fresh folder per test, never into the real home (FLOWOPS_CACHE_DIR)."""
    folder = tmp_path_factory.mktemp("flowops-cache")
    monkeypatch.setenv("FLOWOPS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository (with an identity, so commits work) as the working folder."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.name", "Test User"], check=True)
    subprocess.run(["git", "-C", str(root), "config", "user.email", "test@example.com"], check=True)
    subprocess.run(["git", "-C", str(root), "config", "commit.gpgsign", "false"], check=True)
    return root


@pytest.fixture
def flowops(repo: Path, monkeypatch):
    """Call the CLI in ``repo``: ``flowops("task list --plain")`` -> Result(exit_code, stdout, stderr)."""
    monkeypatch.delenv("FLOWOPS_ROOT", raising=False)
    monkeypatch.delenv("FLOWOPS_NO_HOOKS", raising=False)

    def call(args, *, cwd: Path | None = None, input: str | None = None, env: dict | None = None):
        return run_flowops(args, cwd or repo, input=input, env=env)

    return call


@pytest.fixture(scope="session")
def promtool() -> str:
    """The promtool binary: skipped without it, unless FLOWOPS_REQUIRE_PROMTOOL=1 (CI), which makes that a failure."""
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("FLOWOPS_REQUIRE_PROMTOOL") == "1":
            pytest.fail("FLOWOPS_REQUIRE_PROMTOOL=1 but promtool is not on PATH (.ci/run installs it)", pytrace=False)
        pytest.skip("promtool is not on PATH (install the Debian package prometheus, or run .ci/run)")
    return found
