"""Helpers for tests that drive real git repositories and real hook executions."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.state import audit_log


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory, monkeypatch):
    """No system or user git settings (a global core.hooksPath would change every test)."""
    home = tmp_path_factory.mktemp("git-home")
    config = home / "gitconfig"
    config.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n"
                      "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    # A test folder is never taken for part of a repository around the test's temp root.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path_factory.getbasetemp()))
    for name in ("FLOWOPS_ROOT", "FLOWOPS_NO_HOOKS", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str, input: str | None = None, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run git in ``cwd``; the result has text stdout and stderr."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def commit(cwd: Path, message: str, files: dict[str, str] | None = None, *, env: dict | None = None) -> subprocess.CompletedProcess:
    """Write and stage ``files`` (nothing else: .flowops/ stays out) and commit with ``message``; hooks run."""
    files = files or {"file.txt": message}
    for name, content in files.items():
        path = cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    git(cwd, "add", "--", *files)
    return git(cwd, "commit", "-q", "-m", message, env=env)


def head(cwd: Path) -> str:
    return git(cwd, "rev-parse", "HEAD").stdout.strip()


def write_probe_hook(path: Path, log: Path, *, exit_code: int = 0, read_stdin: bool = False) -> str:
    """A foreign hook that appends its name, arguments (and stdin) to ``log``; returns its text."""
    stdin_part = ' "$(cat)"' if read_stdin else ""
    text = f'#!/bin/sh\necho "$(basename "$0")" "$@"{stdin_part} >> "{log}"\nexit {exit_code}\n'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return text


def read_log(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def audit_records(root: Path) -> list[dict]:
    """Every record of the project's audit log, parsed."""
    path = audit_log(root)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
