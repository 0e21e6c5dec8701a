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

import os
import re
from pathlib import Path
from typing import Any

try:
    # CPython's own SHA-256 (3.11: _sha256, 3.12+: _sha2): the same digests as hashlib's,
    # without loading OpenSSL, which costs ~4-7 ms of every command that opens the cache.
    from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

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
    digest = sha256(os.fsencode(resolved)).hexdigest()[:24]
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


def fingerprint(schema: Any) -> str:
    """A short digest of a JSON Schema: a cached verdict holds only for the schema it was made with."""
    import json

    text = json.dumps(schema, sort_keys=True, separators=(",", ":"), default=repr)
    return sha256(text.encode("utf-8")).hexdigest()[:32]


class VerdictCache:
    """Remembers which file contents passed which schema (flowops.schema), in the clone's cache folder.

    Keyed by the content's SHA-256 and the schema's fingerprint, so any edit to either is
    seen at once; it lives outside the repository, so a repository cannot claim its own
    files are valid. Only clean verdicts are kept: a file with problems is validated (and
    its problems shown) every time. Here rather than in flowops.schema so that checking a
    verdict imports nothing a hot path (hooks emit, git hooks) does not already have.
    """

    def __init__(self, folder: Path | None, name: str) -> None:
        self.file = folder / name if folder is not None else None

    def passed(self, digest: str, schema_fingerprint: str) -> bool:
        """True when this content was found clean against this schema before."""
        if self.file is None:
            return False
        import json

        try:
            entry = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(entry, dict) and entry.get("sha256") == digest and entry.get("schema") == schema_fingerprint

    def remember(self, digest: str, schema_fingerprint: str) -> None:
        """Record a clean verdict (best effort: the cache is an optimisation only)."""
        if self.file is None:
            return
        import json

        from flowops.atomic import atomic_write_text

        try:
            if ensure(self.file.parent):
                atomic_write_text(self.file, json.dumps({"sha256": digest, "schema": schema_fingerprint}))
        except OSError:
            pass
