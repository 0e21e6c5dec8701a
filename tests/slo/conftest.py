"""Fixtures for the SLO tests: the spec fixtures in a scratch repository, and promtool."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "slo"
SPECS = DATA / "specs"
GOLDEN = DATA / "golden"


def require_promtool() -> str:
    """promtool's path; skips (or fails, with FLOWOPS_REQUIRE_PROMTOOL=1 as in CI) when it is not on PATH."""
    path = shutil.which("promtool")
    if path is None:
        message = "promtool is not on PATH (Debian package prometheus; .ci/run installs it)"
        if os.environ.get("FLOWOPS_REQUIRE_PROMTOOL") == "1":
            pytest.fail(message + " and FLOWOPS_REQUIRE_PROMTOOL=1 requires it")
        pytest.skip(message + "; set FLOWOPS_REQUIRE_PROMTOOL=1 to fail instead")
    return path


@pytest.fixture
def promtool() -> str:
    return require_promtool()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository root holding copies of the spec fixtures under specs/ (paths in output are stable)."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".git").mkdir()  # the project root is the git top; nothing here runs git
    shutil.copytree(SPECS, root / "specs")
    return root


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
