"""A disposable cache of parsed tasks in ``.flowops/cache/``.

Each entry is keyed by the file's path, size and mtime_ns, so a changed file is never
served stale; deleting the cache changes nothing but speed. The cache is one pickle
written atomically; a cache from another flowops version or a corrupt one is ignored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flowops.atomic import atomic_write_bytes

CACHE_FORMAT = 4
CACHE_NAME = "tasks-index.pickle"

Key = tuple[int, int]  # (size, mtime_ns)


class TaskIndex:
    """path -> ((size, mtime_ns), task record (records.py) or a ("bad", reason, line) tuple)."""

    def __init__(self, cache_dir: Path) -> None:
        self.file = cache_dir / CACHE_NAME
        self.entries: dict[str, tuple[Key, Any]] = {}
        self.dirty = False
        self._loaded = False

    def load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            data = self.file.read_bytes()
        except OSError:
            return
        import pickle

        try:
            from flowops import __version__

            header, entries = pickle.loads(data)  # noqa: S301 - our own cache file
            if header != (CACHE_FORMAT, __version__):
                return
            self.entries = entries
        except Exception:
            # A corrupt or foreign cache is just a cold cache.
            self.entries = {}

    def get(self, path: str, key: Key) -> Any:
        entry = self.entries.get(path)
        if entry is not None and entry[0] == key:
            return entry[1]
        return None

    def put(self, path: str, key: Key, value: Any) -> None:
        self.entries[path] = (key, value)
        self.dirty = True

    def prune(self, live_paths: set[str], prefix: str, scanned_dirs: set[str] | None = None) -> None:
        """Forget entries in the scanned folders whose files no longer exist."""
        def scanned(path: str) -> bool:
            return scanned_dirs is None or os.path.dirname(path) in scanned_dirs

        stale = [p for p in self.entries if p.startswith(prefix) and p not in live_paths and scanned(p)]
        for path in stale:
            del self.entries[path]
        if stale:
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        import pickle

        from flowops import __version__

        try:
            data = pickle.dumps(((CACHE_FORMAT, __version__), self.entries), protocol=pickle.HIGHEST_PROTOCOL)
            atomic_write_bytes(self.file, data)
            self.dirty = False
        except OSError:
            # A read-only checkout still works, only slower.
            pass


def stat_key(path: str | os.PathLike) -> Key | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
