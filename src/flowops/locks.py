"""Inter-process locks for read-modify-write sequences, through the filelock library.

filelock takes the operating system's lock on a lock file (``flock`` on Unix, ``msvcrt``
on Windows), so the store imports and locks alike on every platform Backlog.md users work
on, and no flowops module talks to ``fcntl`` or ``msvcrt`` itself. The lock belongs to the
open file: it is released when the ``with`` ends or the process dies, never left stale.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flowops.errors import StoreError

# Between attempts while another process holds the lock. filelock waits a fixed interval;
# creates and edits hold their locks for milliseconds, so a short one keeps eight
# processes creating tasks at once from waiting on each other's sleep.
POLL_INTERVAL = 0.005


@contextmanager
def file_lock(lock_path: str | os.PathLike, *, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if needed) for the ``with`` body.

    Raises StoreError naming the lock file when it cannot be taken within ``timeout``, or
    when something other than a lock file (a folder, a symbolic link) is in its place.
    """
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _refuse_what_is_not_a_lock_file(path)
    # Imported here, not at the top: filelock imports asyncio and logging (~30 ms), which
    # only commands that write should pay.
    from filelock import FileLock, Timeout

    lock = FileLock(path, timeout=timeout)
    try:
        lock.acquire(poll_interval=POLL_INTERVAL)
    except Timeout:
        raise StoreError(
            f"could not lock {path} within {timeout:g} s: another flowops process holds it",
            hint=(
                "wait for that process to finish and retry. A lock is released when its process ends, so a "
                "lock file left behind is never stale and deleting it does not help; deleting it while a "
                f"process holds it would let two writers in. `fuser -v {path}` (or `lsof {path}`) shows the holder"
            ),
        ) from None
    except OSError as exc:
        # filelock opens with O_NOFOLLOW: a link put in place after the check above ends here.
        _refuse_what_is_not_a_lock_file(path)
        raise StoreError(f"cannot lock {path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()


def _refuse_what_is_not_a_lock_file(path: Path) -> None:
    """StoreError when ``path`` is a folder or a symbolic link (a clone can commit either there)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot lock {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        # A link committed where a lock file belongs must not lead flowops to create,
        # truncate or lock a file elsewhere.
        raise StoreError(
            f"cannot lock {path}: it is a symbolic link, which flowops does not follow",
            hint="remove the link (flowops creates the lock file itself), then retry; nothing was changed",
        )
    if stat.S_ISDIR(mode):
        raise StoreError(
            f"cannot lock {path}: it is a folder, not a lock file",
            hint="remove that folder (flowops creates the lock file itself), then retry; nothing was changed",
        )
