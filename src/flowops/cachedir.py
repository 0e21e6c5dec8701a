"""Where flowops keeps its disposable caches: the user's cache folder, never the working tree.

A repository is untrusted input: anything inside the working tree may have been written
by a stranger (and force-added past any .gitignore). A cache that flowops believes and
that lives in the tree would let a repository decide what flowops sees (a forged task
index) or runs (a forged hooks.yaml parse). So caches live outside it:

- ``$FLOWOPS_CACHE_DIR/<key>`` when that variable is set (tests, CI caches);
- else ``$XDG_CACHE_HOME/flowops/<key>`` (an absolute ``XDG_CACHE_HOME`` only, as the
  XDG spec says);
- else ``~/.cache/flowops/<key>``;

where ``<key>`` is the repository folder's name and a hash of its resolved path, so two
clones never share a cache. Every cache file holds data only (JSON), never pickles.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

ENV_VAR = "FLOWOPS_CACHE_DIR"


def cache_base() -> Path:
    """The folder that holds one cache folder per repository."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "flowops"
    return Path(os.path.expanduser("~")) / ".cache" / "flowops"


def project_cache_dir(root: str | os.PathLike) -> Path | None:
    """The cache folder of the repository at ``root``; None when it would lie inside the repository."""
    resolved = Path(root).resolve()
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:24]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", resolved.name)[:40] or "root"
    folder = cache_base() / f"{name}-{digest}"
    try:
        absolute = folder.resolve()
    except (OSError, RuntimeError):
        return None
    if absolute == resolved or resolved in absolute.parents:
        # A cache the repository itself could contain is no better than one in .flowops/.
        return None
    return folder


def ensure(folder: Path) -> bool:
    """Create ``folder`` (private to the user) if needed; False when that is impossible."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return False
    return folder.is_dir()
