"""Fixtures for running the real Backlog.md 1.52 CLI and flowops side by side on one backlog.

The ``backlog`` binary is FLOWOPS_BACKLOG_BIN, else the copy .ci/run installs in
.ci/node/, else ``backlog`` on PATH. Without it the interop tests skip and say why;
with FLOWOPS_REQUIRE_INTEROP=1 (set by .ci/run) they fail instead, so CI cannot
quietly skip them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_BIN = REPO_ROOT / ".ci" / "node" / "node_modules" / ".bin" / "backlog"
SUPPORTED = "1.52."
TIMEOUT = 120


@cache
def locate_backlog() -> tuple[str | None, str]:
    """(path of a usable Backlog.md 1.52 binary or None, why not / where it came from)."""
    configured = os.environ.get("FLOWOPS_BACKLOG_BIN")
    if configured:
        candidate, origin = configured, "FLOWOPS_BACKLOG_BIN"
        if not Path(candidate).is_file():
            return None, f"FLOWOPS_BACKLOG_BIN={candidate} does not exist"
    elif LOCAL_BIN.is_file():
        candidate, origin = str(LOCAL_BIN), ".ci/node"
    else:
        candidate, origin = shutil.which("backlog"), "PATH"
        if candidate is None:
            return None, (
                "the Backlog.md CLI is not installed: set FLOWOPS_BACKLOG_BIN, run .ci/run, or "
                "`npm install --prefix .ci/node backlog.md@1.52.0`"
            )
    try:
        version = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{candidate} (from {origin}) cannot be run: {exc}"
    if not version.startswith(SUPPORTED):
        return None, f"{candidate} (from {origin}) is Backlog.md {version or '?'}; these tests need {SUPPORTED}x"
    return candidate, f"{candidate} (from {origin}), version {version}"


@pytest.fixture(scope="session")
def backlog_bin() -> str:
    path, why = locate_backlog()
    if path is None:
        if os.environ.get("FLOWOPS_REQUIRE_INTEROP") == "1":
            pytest.fail(f"FLOWOPS_REQUIRE_INTEROP=1 but {why}", pytrace=False)
        pytest.skip(why)
    return path


def flowops_command() -> list[str]:
    """The installed console script next to this interpreter (what users run), else ``python -m flowops``."""
    script = Path(sys.executable).parent / ("flowops.exe" if os.name == "nt" else "flowops")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "flowops"]


def _environment() -> dict[str, str]:
    # FLOWOPS_CACHE_DIR stays: tests never write caches into the real home.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWOPS_") or k == "FLOWOPS_CACHE_DIR"}
    # Plain, uncoloured output from both tools whatever the terminal running pytest.
    env.update({"NO_COLOR": "1", "FORCE_COLOR": "0", "TERM": "dumb"})
    return env


class CommandFailed(AssertionError):
    pass


@dataclass
class Side:
    """A git repository holding one backlog, and the two CLIs to run in it."""

    root: Path
    backlog_bin: str

    def _run(self, argv: list[str], check: bool) -> subprocess.CompletedProcess:
        result = subprocess.run(
            argv, cwd=self.root, capture_output=True, text=True, encoding="utf-8", stdin=subprocess.DEVNULL,
            env=_environment(), timeout=TIMEOUT,
        )
        if check and result.returncode != 0:
            raise CommandFailed(
                f"{' '.join(argv)} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def backlog(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run([self.backlog_bin, *args], check)

    def flowops(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run([*flowops_command(), *args], check)

    def backlog_json(self, *args: str) -> dict:
        return json.loads(self.backlog(*args, "--json").stdout)

    def flowops_json(self, *args: str) -> dict:
        return json.loads(self.flowops(*args, "--json").stdout)

    def created_id(self, result: subprocess.CompletedProcess) -> str:
        """The id printed by ``task create`` (both tools print ``Created task TASK-7``)."""
        match = re.search(r"^Created (?:task|draft) (\S+)$", result.stdout, re.MULTILINE)
        assert match, result.stdout
        return match.group(1)

    def task_file(self, task_id: str) -> Path:
        """The file holding ``task_id`` (by its name, in any task folder)."""
        stem = task_id.lower()
        for folder in ("tasks", "drafts", "completed", "archive/tasks"):
            found = sorted((self.root / "backlog" / folder).glob(f"{stem} - *.md"))
            if found:
                return found[0]
        raise FileNotFoundError(f"no file for {task_id} under {self.root / 'backlog'}")

    def copy(self, destination: Path) -> Side:
        shutil.copytree(self.root, destination, symlinks=True)
        return Side(destination, self.backlog_bin)

    def read_all(self, commands: Iterable[tuple[str, tuple[str, ...]]]) -> Outputs:
        """Run read-only ``(tool, args)`` commands concurrently; their outputs, for tests to look up."""
        return Outputs(self, commands)


class Outputs:
    """Stdout of read-only commands run up front, several at a time.

    Each CLI start costs 0.2-0.5 s and the commands only read, so running them side by
    side keeps the module fast; a command not run up front runs when first asked for.
    """

    def __init__(self, side: Side, commands: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        self.side = side
        unique = list(dict.fromkeys((tool, tuple(args)) for tool, args in commands))
        with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2)) as pool:
            results = pool.map(lambda command: self._run(*command), unique)
            self._stdout = dict(zip(unique, results, strict=True))

    def _run(self, tool: str, args: tuple[str, ...]) -> str:
        return getattr(self.side, tool)(*args).stdout

    def _get(self, tool: str, args: tuple[str, ...]) -> str:
        key = (tool, tuple(args))
        if key not in self._stdout:
            self._stdout[key] = self._run(*key)
        return self._stdout[key]

    def backlog(self, *args: str) -> str:
        return self._get("backlog", args)

    def flowops(self, *args: str) -> str:
        return self._get("flowops", args)

    def backlog_json(self, *args: str) -> dict:
        return json.loads(self.backlog(*args, "--json"))

    def flowops_json(self, *args: str) -> dict:
        return json.loads(self.flowops(*args, "--json"))


def _git_repo(path: Path) -> None:
    path.mkdir(parents=True)
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "config", "user.name", "Interop Test"],
        ["git", "config", "user.email", "interop@example.com"],
        ["git", "config", "commit.gpgsign", "false"],
    ):
        subprocess.run(argv, cwd=path, check=True, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def backlog_template(tmp_path_factory, backlog_bin) -> Side:
    """A repository initialised once by ``backlog init``, copied for every test that needs one."""
    side = Side(tmp_path_factory.mktemp("template") / "repo", backlog_bin)
    _git_repo(side.root)
    side.backlog("init", "interop", "--defaults", "--integration-mode", "none")
    # Without these Backlog.md scans git branches and remotes on every command.
    side.backlog("config", "set", "remoteOperations", "false")
    side.backlog("config", "set", "checkActiveBranches", "false")
    return side


@pytest.fixture(scope="session")
def backlog_written(tmp_path_factory, backlog_template) -> Side:
    """The scenario (tests/interop/scenario.py) written by Backlog.md itself. Read-only: copy it to change it."""
    from tests.interop.scenario import BACKLOG_ONLY_STEPS, STEPS

    side = backlog_template.copy(tmp_path_factory.mktemp("backlog-written") / "repo")
    for step in STEPS + BACKLOG_ONLY_STEPS:
        side.backlog(*step)
    return side


@pytest.fixture(scope="module")
def new_side(tmp_path_factory, backlog_template):
    """``new_side(name)``: a fresh copy of the initialised repository (usable from module fixtures)."""

    def make(name: str) -> Side:
        return backlog_template.copy(tmp_path_factory.mktemp(name) / "repo")

    return make


@pytest.fixture
def side(tmp_path, backlog_template) -> Side:
    """A fresh repository with an initialised, empty backlog."""
    return backlog_template.copy(tmp_path / "repo")


@pytest.fixture
def empty_repo(tmp_path, backlog_bin) -> Side:
    """A git repository with no backlog at all."""
    root = tmp_path / "repo"
    _git_repo(root)
    return Side(root, backlog_bin)
