"""Inter-process locks (fcntl.flock on a lock file) for read-modify-write sequences."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flowops.errors import StoreError


@contextmanager
def file_lock(lock_path: str | os.PathLike, *, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if needed) for the ``with`` body.

    Raises StoreError naming the lock file when it cannot be taken within ``timeout``.
    """
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_NOFOLLOW: a link committed where a lock file belongs must not lead flowops to
        # create or lock a file elsewhere.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    except IsADirectoryError:
        raise StoreError(
            f"cannot lock {path}: it is a folder, not a lock file",
            hint="remove that folder (flowops creates the lock file itself), then retry; nothing was changed",
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StoreError(
                f"cannot lock {path}: it is a symbolic link, which flowops does not follow",
                hint="remove the link (flowops creates the lock file itself), then retry; nothing was changed",
            ) from None
        raise StoreError(f"cannot lock {path}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"could not lock {path} within {timeout:g} s: another flowops process holds it",
                        hint=(
                            "wait for that process to finish and retry. A lock is released when its process ends, so a "
                            "lock file left behind is never stale and deleting it does not help; deleting it while a "
                            f"process holds it would let two writers in. `fuser -v {path}` (or `lsof {path}`) shows the holder"
                        ),
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
