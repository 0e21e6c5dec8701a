"""Reading files from an untrusted repository: regular files only, size-checked before reading.

A clone can hold a symlink to ``/dev/zero`` (endless data), a FIFO (an open that never
returns), a symlink to a file outside the repository (someone's private data, which an
edit would then replace with a copy), or a file of gigabytes. ``read_regular`` opens
without following a final symlink and without blocking on a FIFO, checks the open file
(``fstat``: a regular file, not over the limit) and reads at most ``limit + 1`` bytes, so
no check can be raced by swapping the file in between.

``read_config`` is for configuration files (``hooks.yaml``, ``config.toml``, ...), which
people do symlink: a symlink is followed only when its target lies inside the repository.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class RefusedFile(OSError):
    """A file flowops will not read; ``reason`` says why in words a user can act on."""

    def __init__(self, reason: str, path: str | os.PathLike) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = os.fspath(path)
        self.strerror = reason

    def __str__(self) -> str:
        return self.reason


def read_regular(path: str | os.PathLike, limit: int, *, what: str = "this file") -> bytes:
    """The bytes of the regular file ``path`` (not a symlink), at most ``limit`` of them.

    Raises FileNotFoundError when it is gone, RefusedFile when it is not a regular file or
    is over ``limit``, other OSErrors as they come.
    """
    return read_regular_stat(path, limit, what=what)[0]


def read_regular_stat(path: str | os.PathLike, limit: int, *, what: str = "this file") -> tuple[bytes, os.stat_result]:
    """``read_regular``, with the ``fstat`` of the file it read (a cache key of exactly that file, no extra call)."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        if os.path.islink(path):
            raise RefusedFile(
                "not a regular file (a symbolic link); flowops does not follow links in the backlog: put the file itself here",
                path,
            ) from None
        raise exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(f"not a regular file (a {_kind(info.st_mode)}); flowops reads only regular files", path)
        if info.st_size > limit:
            raise RefusedFile(_too_big(info.st_size, limit, what), path)
        os.set_blocking(fd, True)
        # At most limit + 1 bytes, should it have grown; the first read sized to the file.
        return _read_at_most(fd, limit, path, what, info.st_size), info
    finally:
        os.close(fd)


def read_named(path: str | os.PathLike, limit: int, *, what: str = "this file") -> bytes:
    """Read a file the user named on the command line: links followed, a pipe is fine
    (``--alerts <(kubectl ...)``), but never more than ``limit`` bytes and never a folder."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise RefusedFile("a folder, not a file", path)
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise RefusedFile(_too_big(info.st_size, limit, what), path)
        return _read_at_most(fd, limit, path, what, info.st_size if stat.S_ISREG(info.st_mode) else None)
    finally:
        os.close(fd)


def check_regular_inside(path: Path, root: Path) -> None:
    """RefusedFile unless ``path`` is a regular file that stays inside ``root`` (for paths a repository names)."""
    resolved = Path(os.path.abspath(path)).resolve()
    base = Path(root).resolve()
    if resolved != base and base not in resolved.parents:
        raise RefusedFile(f"it leads to {resolved}, outside the repository", path)
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        return  # the reader reports a missing file in its own words
    if not stat.S_ISREG(info.st_mode):
        raise RefusedFile(f"not a regular file (a {_kind(info.st_mode)})", path)


def read_fd(fd: int, count: int, size: int | None = None) -> bytes:
    """At most ``count`` bytes from ``fd``, read in chunks of 1 MiB (short only at the end of the file).

    ``size`` (the file's fstat size) sizes the first read to the file: ``os.read`` allocates
    all it is asked for before reading, and a 1 MiB buffer for a 1 KB task file made each
    read slower (best of 5 over 5,000 task files: 9.0 against 7.3 us per file here; a cold
    listing reads 10,000). After a short read, the read that confirms the end asks for
    4 KiB, not 1 MiB, for the same reason. A file that grew since is still read on.
    """
    chunks = []
    remaining = count
    want = min(remaining, 1 << 20 if size is None else size + 1)
    while remaining > 0:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        want = min(remaining, 1 << 20 if len(chunk) == want else 1 << 12)
    return b"".join(chunks)


def _read_at_most(fd: int, limit: int, path: str | os.PathLike, what: str, size: int | None = None) -> bytes:
    data = read_fd(fd, limit + 1, size)  # one byte more: a file that grew past the limit since its stat
    if len(data) > limit:
        raise RefusedFile(_too_big(len(data), limit, what), path)
    return data


def read_config(path: Path, root: Path, limit: int, *, what: str = "a configuration file") -> bytes:
    """Read a configuration file; symlinks are followed only to a regular file inside ``root``.

    A path inside the repository (``.flowops/hooks.yaml``) must stay inside it however its
    folders or the file itself are linked; a path the user names outside it is read as given.
    """
    absolute = Path(os.path.abspath(path))
    lexical_root = Path(os.path.abspath(root))
    resolved = absolute.resolve()
    if lexical_root in absolute.parents:
        base = lexical_root.resolve()
        if resolved != base and base not in resolved.parents:
            raise RefusedFile(
                f"it leads to {resolved}, outside the repository (a symbolic link); flowops reads configuration only from inside it",
                path,
            )
    return read_regular(resolved, limit, what=what)


def _too_big(size: int, limit: int, what: str) -> str:
    if size > limit and size == limit + 1:
        return f"the file is over the {_mib(limit)} limit for {what}"
    return f"the file is {size / 1048576:.1f} MiB, over the {_mib(limit)} limit for {what}"


def _mib(limit: int) -> str:
    return f"{limit // 1048576} MiB" if limit >= 1048576 else f"{limit // 1024} KiB"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
