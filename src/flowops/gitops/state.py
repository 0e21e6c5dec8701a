"""Which commit the working tree is at, and whether it differs from it: what a verification saw.

``flowops ac verify`` records this with every verification, so "verified at abc123" can
be shown later and "verified on a dirty tree" is not mistaken for it. The backlog and
``.flowops/`` are left out of "dirty": ticking a criterion changes the backlog, not the
service the checks looked at.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT = 30


@dataclass(frozen=True)
class TreeState:
    """``head``: the commit (None outside git or before the first commit); ``dirty``: None outside git."""

    head: str | None
    dirty: bool | None

    def describe(self) -> str:
        if self.dirty is None:
            return "not a git repository"
        if self.head is None:
            return "no commit yet"
        return f"at {self.head[:12]}" + (" (working tree has changes)" if self.dirty else "")

    def to_dict(self) -> dict:
        return {"commit": self.head, "dirty": self.dirty}


def tree_state(root: Path, *, exclude: Iterable[str] = ()) -> TreeState:
    """The state of the work tree at ``root``; ``exclude`` names root-relative folders that do not count."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != "true":
        return TreeState(None, None)
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    specs = ["."] + [f":(exclude){path}" for path in exclude if path]
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--", *specs)
    return TreeState(head.strip() if head else None, bool(status and status.strip()))


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, errors="replace",
                              stdin=subprocess.DEVNULL, timeout=_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None
