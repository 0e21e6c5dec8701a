"""The one place that runs ``git``: locating a repository, its hooks folder, its settings.

Facts come from short ``git`` subprocesses rather than GitPython: importing GitPython
takes about 90 ms, most of the 150 ms a post-commit hook may add to ``git commit``
(bench/bench_git.py), while each ``git`` call here takes a few milliseconds.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flowops.errors import FlowopsError, UsageError


class GitError(FlowopsError):
    """A git command failed or git is not installed (exit 1)."""


def run_git(args: list[str], cwd: str | os.PathLike, *, input: str | None = None, ok_codes: tuple[int, ...] = (0,)) -> tuple[int, str]:
    """Run ``git ARGS`` in ``cwd``; return (exit code, stdout). Other exit codes raise GitError.

    Output is decoded as UTF-8 with replacement: event data must stay valid JSON even
    for a path or message in another encoding.
    """
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", hint="install git, then rerun") from None
    if proc.returncode not in ok_codes:
        detail = proc.stderr.strip().splitlines()
        reason = detail[-1] if detail else f"exit code {proc.returncode}"
        raise GitError(f"git {' '.join(args[:2])} failed: {reason}")
    return proc.returncode, proc.stdout


def git_output(args: list[str], cwd: str | os.PathLike, *, input: str | None = None) -> str:
    """Stdout of ``git ARGS`` (which must succeed)."""
    return run_git(args, cwd, input=input)[1]


@dataclass(frozen=True)
class GitRepo:
    """Where a repository keeps things. ``common_dir`` is shared by all its worktrees."""

    cwd: Path
    git_dir: Path
    common_dir: Path
    bare: bool

    def run(self, *args: str, input: str | None = None) -> str:
        return git_output(list(args), self.cwd, input=input)

    def try_run(self, *args: str) -> str | None:
        """Stdout of a git query that may legitimately fail (no such ref, unset key): None then."""
        code, out = run_git(list(args), self.cwd, ok_codes=tuple(range(256)))
        return out if code == 0 else None


def open_repo(cwd: str | os.PathLike | None = None) -> GitRepo:
    """The repository ``cwd`` (default: the current folder) belongs to; UsageError outside git."""
    here = Path(cwd or os.getcwd())
    code, out = run_git(
        ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir", "--is-bare-repository"],
        here,
        ok_codes=tuple(range(256)),
    )
    lines = out.splitlines()
    if code != 0 or len(lines) < 3:
        raise UsageError(f"{here} is not inside a git repository", hint="run this in a git repository (git init creates one)")
    return GitRepo(here, Path(lines[0]), Path(lines[1]), lines[2].strip() == "true")


@dataclass(frozen=True)
class HooksPathSetting:
    """``core.hooksPath`` as git sees it: the folder it names and where it was set."""

    folder: Path
    origin: str


def hooks_path_setting(repo: GitRepo) -> HooksPathSetting | None:
    """The effective ``core.hooksPath`` (any scope), resolved the way git resolves it; None when unset."""
    out = repo.try_run("config", "--show-origin", "--type=path", "--get", "core.hooksPath")
    if not out or not out.strip():
        return None
    origin, _, value = out.rstrip("\n").partition("\t")
    folder = Path(value)
    if not folder.is_absolute():
        # git runs hooks from the work-tree top (the git dir when bare); a relative
        # hooksPath is relative to that folder.
        base = repo.git_dir if repo.bare else Path(repo.run("rev-parse", "--show-toplevel").strip())
        folder = base / folder
    return HooksPathSetting(folder, origin.removeprefix("file:"))


def default_hooks_dir(repo: GitRepo) -> Path:
    """``<git common dir>/hooks``: the folder every worktree's hooks come from."""
    return repo.common_dir / "hooks"
