"""Where flowops keeps what one clone records: the audit log and the outbox.

In a git repository they live in the git folder, ``<git common dir>/flowops/``
(``.git/flowops/log/events.jsonl``, ``.git/flowops/outbox.jsonl``), as Backlog.md keeps its
create lock in ``<git common dir>/backlog.md/``:

- nothing a clone brings can forge them: git never checks files out into its own folder,
  so a pull request cannot ship a fake outbox entry or a doctored log;
- they never show in ``git status``: every commit's post-commit hook appends to the log,
  and a tracked (or merely unignored) log would leave every commit with a modified file
  and make ``git rebase`` refuse to start;
- ``git clean -xdf`` does not wipe them, and every linked worktree of the repository
  shares one log (the common dir), as it shares one history.

A project below the top of its work tree (several projects in one repository) gets
``<git common dir>/flowops/projects/<path>-<hash>/``. Outside git the old place,
``.flowops/`` (ignored by the .gitignore ``flowops init`` writes), is used.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

FOLDER = "flowops"


def git_common_dir(root: Path) -> tuple[Path, Path] | None:
    """(work-tree top, git common dir) of the repository ``root`` is in, or None outside git.

    Read from the file system (``.git`` folder, or a ``.git`` file naming the git dir and
    its ``commondir``), without running git: this runs on every emit.
    """
    for folder in (root, *root.parents):
        marker = folder / ".git"
        try:
            if marker.is_dir():
                git_dir = marker
            elif marker.is_file():
                text = marker.read_text(encoding="utf-8", errors="replace")[:4096].strip()
                if not text.startswith("gitdir:"):
                    return None
                git_dir = (folder / text[len("gitdir:"):].strip()).resolve()
            else:
                continue
            common = git_dir
            commondir = git_dir / "commondir"
            if commondir.is_file():
                common = (git_dir / commondir.read_text(encoding="utf-8", errors="replace")[:4096].strip()).resolve()
        except OSError:
            return None
        if not (common / "HEAD").is_file() and not (git_dir / "HEAD").is_file():
            return None  # not a git folder after all (a stray .git file in an archive)
        return folder, common
    return None


def state_dir(root: str | os.PathLike) -> Path:
    """The folder holding ``log/events.jsonl`` and ``outbox.jsonl`` for the project at ``root``."""
    resolved = Path(root).resolve()
    found = git_common_dir(resolved)
    if found is None:
        return resolved / ".flowops"
    top, common = found
    base = common / FOLDER
    relative = resolved.relative_to(top).as_posix() if resolved != top else ""
    if not relative:
        return base
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", relative)[:60]
    return base / "projects" / f"{name}-{digest}"
