"""Atomic file writes: a killed process leaves the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

# Distinctive, so that one .gitignore line (written by `flowops init`) covers every leftover
# and `flowops doctor --fix` can remove them without touching anyone else's files.
TEMP_SUFFIX = ".flowops-tmp"


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync, rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            # mkstemp creates 0600; a new file should get the usual umask-based mode.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _create_temp(target: Path) -> tuple[int, str]:
    # tempfile would do, but importing it pulls in shutil, bz2 and lzma: ~5 ms of start-up.
    for _attempt in range(100):
        tmp = str(target.parent / f".{_stem(target.name)}.{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {target}")


def _stem(name: str) -> str:
    # The temporary name must fit where the target's name fits (255 bytes on most file systems).
    encoded = os.fsencode(name)
    return name if len(encoded) <= 100 else os.fsdecode(encoded[:100].decode("utf-8", "ignore").encode("utf-8"))


def is_temp_name(name: str) -> bool:
    """True for the name of a temporary file an interrupted atomic write may have left."""
    parts = name.split(".")
    # Earlier versions used ".tmp"; their leftovers (same pid.hex pattern) match too.
    if not (name.startswith(".") and name.endswith((TEMP_SUFFIX, ".tmp")) and len(parts) >= 5):
        return False
    pid, random = parts[-3], parts[-2]
    return pid.isdigit() and len(random) == 8 and all(c in "0123456789abcdef" for c in random)


def atomic_write_text(path: str | os.PathLike, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` as UTF-8 (newlines untouched) atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
