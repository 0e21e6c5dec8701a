"""A disposable cache of parsed tasks, in the user's cache folder (see flowops.cachedir).

Each entry is keyed by the file's path, size and mtime_ns, so a changed file is never
served stale; deleting the cache changes nothing but speed. The cache is one JSON
document written atomically: data only, so even a tampered cache could never run code,
and it lives outside the working tree, so a repository cannot bring its own. A cache
from another flowops version, or a corrupt one, is ignored.

Layout (compact arrays load fastest: ~40 ms for 10,000 tasks, against ~50 ms for a
mapping per entry): ``{"format", "version", "paths": [...], "keys": [[size, mtime_ns],
...], "records": [...]}``, the three lists in step. Records are those of records.py
(tuples become arrays, which from_record reads alike).

The same class keeps the listing's slimmer parts (rows.py): ``tasks-rows.json`` holds only
what ``task list`` and ``search`` print and filter on, ``tasks-text.json`` the lower-cased
text ``search`` matches; each part is keyed per file like the records, so each can be
stale or missing on its own without ever serving stale data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flowops.atomic import atomic_write_bytes

CACHE_FORMAT = 5
CACHE_NAME = "tasks-index.json"

Key = tuple[int, int]  # (size, mtime_ns)
_JSON_SCALARS = (str, int, float, bool, type(None))


class TaskIndex:
    """path -> ((size, mtime_ns), task record (records.py) or a ("bad", reason, line) tuple)."""

    def __init__(self, cache_dir: Path | None, name: str = CACHE_NAME, fmt: int = CACHE_FORMAT, base: str | None = None) -> None:
        self.file = cache_dir / name if cache_dir is not None else None
        self.format = fmt
        # Paths relative to ``base`` are keys only as long as base stays the folder they were taken in.
        self.base = base
        # Task records may carry unknown frontmatter values JSON cannot hold; rows and texts cannot.
        self._check_values = name == CACHE_NAME
        self.entries: dict[str, tuple[Key, Any]] = {}
        self.dirty = False
        self._loaded = False
        # The JSON of every entry's path, key and value, made by the processes that read
        # the files (adopt): while set, it describes ``entries`` exactly and save writes it.
        self._encoded: list[tuple[bytes, bytes, bytes]] | None = None
        # Entries of files modified at or after this time (ns) are not kept: another write
        # within the timestamp granularity could leave the key unchanged (racy.RACY_NS).
        self.trusted_before: int | None = None

    def load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.file is None:
            return
        try:
            data = self.file.read_bytes()
        except OSError:
            return
        try:
            from flowops import __version__

            # The file is ASCII (see save); decoding it first is ~9 ms faster at 10,000
            # tasks than handing json bytes, which decodes with a slower error handler.
            document = json.loads(data.decode("ascii"))
            if document.get("format") != self.format or document.get("version") != __version__:
                return
            if document.get("base") != self.base:
                return
            paths, keys, records = document["paths"], document["keys"], document["records"]
            if not (isinstance(paths, list) and isinstance(keys, list) and isinstance(records, list)):
                return
            if not len(paths) == len(keys) == len(records):
                return
            self.entries = {path: ((key[0], key[1]), record) for path, key, record in zip(paths, keys, records, strict=True)}
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeDecodeError):
            # A corrupt or foreign cache is just a cold cache.
            self.entries = {}

    def get(self, path: str, key: Key) -> Any:
        entry = self.entries.get(path)
        if entry is not None and entry[0] == key:
            return entry[1]
        return None

    def put(self, path: str, key: Key, value: Any) -> None:
        if self.trusted_before is not None and key[1] >= self.trusted_before:
            return  # modified too recently to be known by its key: read again next time
        if self._check_values and value[0] != "bad" and value[5] and not _json_safe(value[5]):
            # A frontmatter value JSON cannot hold as it is (a YAML date, a number as a map
            # key) would come back changed: that file is simply read again next time.
            return
        self.entries[path] = (key, value)
        self.dirty = True
        self._encoded = None

    def adopt(self, entries: dict[str, tuple[Key, Any]], encoded: list[tuple[bytes, bytes, bytes]]) -> None:
        """Take ``entries`` as the whole of an empty index, with their JSON already made.

        ``encoded`` holds, per batch, the JSON arrays' insides (no brackets) of the paths,
        keys and values of ``entries`` in step (``encode``): a cold listing encodes each
        batch in the process that read it, so saving is joining strings, not encoding
        10,000 entries serially. Entries that cannot go in as they are (``put``) are left out.
        """
        recent = self.trusted_before is not None and any(key[1] >= self.trusted_before for key, _v in entries.values())
        unsafe = self._check_values and any(not _json_safe(v[5]) for _k, v in entries.values() if v[0] != "bad" and v[5])
        if self.entries or recent or unsafe:
            for path, (key, value) in entries.items():
                self.put(path, key, value)
            return
        self.entries = entries
        self.dirty = bool(entries)
        self._encoded = encoded

    def prune(self, live_paths: set[str], prefix: str, scanned_dirs: set[str] | None = None) -> None:
        """Forget entries in the scanned folders whose files no longer exist."""
        def scanned(path: str) -> bool:
            return scanned_dirs is None or os.path.dirname(path) in scanned_dirs

        stale = [p for p in self.entries if p.startswith(prefix) and p not in live_paths and scanned(p)]
        for path in stale:
            del self.entries[path]
        if stale:
            self.dirty = True
            self._encoded = None

    def save(self) -> None:
        if not self.dirty or self.file is None:
            return
        from flowops import __version__
        from flowops.cachedir import ensure

        try:
            head = json.dumps({"format": self.format, "version": __version__, "base": self.base}, separators=(",", ":"))
            if self._encoded is not None:
                batches = [batch for batch in self._encoded if batch[0]]
            else:
                paths = list(self.entries)
                batches = [encode(paths, [self.entries[p][0] for p in paths], [self.entries[p][1] for p in paths])]
            # One join of the pieces: the document is never held as a str and as bytes at once.
            parts = [head[:-1].encode("ascii")]
            for name, i in ((b',"paths":[', 0), (b'],"keys":[', 1), (b'],"records":[', 2)):
                parts.append(name)
                parts.append(b",".join(batch[i] for batch in batches))
            parts.append(b"]}")
            data = b"".join(parts)
            del parts, batches
            if not ensure(self.file.parent):
                return
            # No fsync: a cache a crash left unreadable is only a cold one (atomic.py).
            atomic_write_bytes(self.file, data, durable=False)
            self.dirty = False
        except (OSError, TypeError, ValueError):
            # An unwritable cache folder still works, only slower.
            pass


def encode(paths: list[str], keys: list, values: list) -> tuple[bytes, bytes, bytes]:
    """The JSON arrays of ``paths``, ``keys`` and ``values`` without their brackets, as the cache file holds them."""
    # ASCII escapes keep file names that are not UTF-8 (surrogate escapes) loadable.
    dumps = _ENCODER.encode
    return dumps(paths)[1:-1].encode("ascii"), dumps(keys)[1:-1].encode("ascii"), dumps(values)[1:-1].encode("ascii")


def encode_values(values: list) -> bytes:
    """``encode``'s third part alone: for a second part of the same paths and keys, whose JSON is already made."""
    return _ENCODER.encode(values)[1:-1].encode("ascii")


_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def _json_safe(value: Any) -> bool:
    """True when ``value`` (a record's unknown frontmatter keys) survives JSON, tuples aside."""
    if isinstance(value, (list, tuple)):
        return all(_json_safe(item) for item in value)
    if isinstance(value, dict):
        return all(type(key) is str and _json_safe(item) for key, item in value.items())
    return isinstance(value, _JSON_SCALARS)

