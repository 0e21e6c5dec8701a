"""The names in a task folder, remembered between commands (a cache: deleting it changes only speed).

Looking one task up by id (``task view``, ``task edit``, ``hooks emit --task-id``) lists the
task folders to find the file named for it: ~5 ms for a folder of 10,000 names. A folder's
names change only when an entry is added, removed or renamed, and each of those sets the
folder's mtime and ctime (``utime`` can set the mtime back, never the ctime). So names listed
once still hold while the folder's (device, inode, mtime_ns, ctime_ns) is the same; any other
key is a miss, and the folder is listed again.

Racy listings: a timestamp has a granularity (the kernel's clock tick, 1-2 s on some file
systems), so a change made within the same tick as a listing can leave the key unchanged. A
listing is therefore remembered only when the folder's mtime and ctime are more than
``RACY_NS`` older than the moment before it was stat'ed: any later change then gets a newer
timestamp. A folder changed in the last two seconds is listed every time.

Each folder has its own file (a small folder's listing never reads a big one's), data only,
in the user's cache folder (flowops.cachedir), never the repository: a first line naming the
format, then a header line ``<path bytes> <device> <inode> <mtime_ns> <ctime_ns> <names
bytes>`` followed by the folder's path and its names, each preceded by a NUL (which no file
name can hold), in the file system's encoding. Anything else (another format, a cut or
edited file) is read as an empty cache. It is read without json: json's import alone is
~1.3 ms of a command this cache saves ~5 ms of.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from flowops.backlog.racy import RACY_NS

FILE_PREFIX = "folder-names-"  # + a digest of the folder's path + ".bin": one small file per folder
MAGIC = b"flowops folder names 1\n"
# Reads are bounded like every other: a cache file larger than this (~1,000,000 names) is not read.
MAX_BYTES = 64 * 1024 * 1024

Key = tuple[int, int, int, int]
# On Windows st_ctime is the folder's creation time, which no entry change moves: mtime alone
# could be set back (utime) over a changed folder, so nothing is remembered there.
CTIME_IS_CHANGE_TIME = os.name != "nt"


class FolderNames:
    """Listings of folders, keyed by each folder's (device, inode, mtime_ns, ctime_ns), kept in ``cache_dir``."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.cache_dir = cache_dir

    def listing(self, path: str) -> str:
        """The names in folder ``path`` (os.listdir's, in its order), each preceded by a NUL; raises as os.listdir.

        A NUL before every name lets a search find a whole name by its start (``\\0task-12 ...``).

        From the cache when the folder's key matches; else listed, and remembered when the
        folder is old enough that the listing cannot be racy. A folder changed within the
        racy window cannot match what was remembered (that was older), so its cache file
        is not even read.
        """
        before = time.time_ns()
        try:
            st = os.stat(path)
        except OSError:
            return joined(os.listdir(path))  # raises what listing raises
        if (not stat.S_ISDIR(st.st_mode) or self.cache_dir is None or not CTIME_IS_CHANGE_TIME
                or max(st.st_mtime_ns, st.st_ctime_ns) >= before - RACY_NS):
            return joined(os.listdir(path))
        key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
        file = self.file_for(path)
        found = _read(file).get(path)
        if found is not None and found[0] == key:
            return found[1]
        names = joined(os.listdir(path))
        _save(file, {path: (key, names)})
        return names

    def file_for(self, path: str) -> Path:
        """The cache file of folder ``path``."""
        assert self.cache_dir is not None
        from flowops.cachedir import sha256

        return self.cache_dir / f"{FILE_PREFIX}{sha256(os.fsencode(path)).hexdigest()[:24]}.bin"


def _read(file: Path) -> dict[str, tuple[Key, str]]:
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return {}
    return parse(data) if len(data) <= MAX_BYTES else {}


def _save(file: Path, entries: dict[str, tuple[Key, str]]) -> None:
    from flowops.atomic import atomic_write_bytes
    from flowops.cachedir import ensure

    try:
        if ensure(file.parent):
            # Disposable: no fsync (a file a crash cut short reads as an empty cache).
            atomic_write_bytes(file, encode(entries), durable=False)
    except OSError:
        pass  # an optimisation only


def joined(names: list[str]) -> str:
    """``names`` as one string, each preceded by a NUL (which no file name can hold)."""
    return "\0" + "\0".join(names) if names else ""


def encode(entries: dict[str, tuple[Key, str]]) -> bytes:
    """The cache file's bytes for ``entries`` (folder path -> (key, names as ``joined`` gives them))."""
    out = [MAGIC]
    for path, (key, joined) in entries.items():
        path_bytes, names = os.fsencode(path), os.fsencode(joined)
        out.append(b"%d %d %d %d %d %d\n" % (len(path_bytes), *key, len(names)))
        out.append(path_bytes)
        out.append(names)
    return b"".join(out)


def parse(data: bytes) -> dict[str, tuple[Key, str]]:
    """The entries of a cache file's bytes; {} for anything that is not exactly this format."""
    if not data.startswith(MAGIC):
        return {}
    entries: dict[str, tuple[Key, str]] = {}
    position = len(MAGIC)
    try:
        while position < len(data):
            end = data.index(b"\n", position)
            fields = data[position:end].split(b" ")
            if len(fields) != 6 or not all(f.isdigit() for f in fields):
                return {}
            path_size, device, inode, mtime, ctime, names_size = map(int, fields)
            start = end + 1
            stop = start + path_size + names_size
            if stop > len(data):
                return {}
            names = data[start + path_size:stop]
            if b"/" in names or (names and not names.startswith(b"\0")):
                return {}  # no listing holds a path separator, and each name follows a NUL
            entries[os.fsdecode(data[start:start + path_size])] = ((device, inode, mtime, ctime), os.fsdecode(names))
            position = stop
    except ValueError:  # no header line end, or bytes that are no file name
        return {}
    return entries
