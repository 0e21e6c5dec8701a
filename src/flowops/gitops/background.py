"""Running a git hook's work in a detached process that git waits for only a short budget.

A git hook holds git: ``git commit`` returns only once its post-commit hook has exited,
and a rebase runs the hook once per commit. flowops' hook work (recording the event,
delivering it to every handler) runs in a grandchild process that has left git's session
and closed git's stdio. The hook waits for its result until the budget runs out and then
exits, leaving the grandchild to finish on its own; what it does is recorded in the audit
log as always (and a delivery that fails goes to the outbox).

Double fork: the intermediate child exits at once and is reaped at once, so the worker is
adopted by init and never becomes a zombie of a long-lived caller.
"""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Callable


def run_detached(work: Callable[[], list[str]], budget: float) -> tuple[list[str] | None, int | None]:
    """Run ``work`` in a detached process; return (its messages, None) if it finishes within
    ``budget`` seconds, else (None, the worker's pid) and leave it running.

    Raises OSError when no process can be started (the caller then does the work itself).
    """
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        raise
    if pid == 0:  # pragma: no cover - runs in the child
        _child(read_fd, write_fd, work)
    os.close(write_fd)
    try:
        os.waitpid(pid, 0)  # the intermediate child: gone as soon as the worker is started
        data = _read_until(read_fd, time.monotonic() + budget)
    finally:
        os.close(read_fd)
    head, newline, rest = data.partition(b"\n")
    worker = int(head) if head.isdigit() else None
    if newline and rest.endswith(b"\n"):
        try:
            messages = json.loads(rest)
        except ValueError:
            messages = None
        if isinstance(messages, list):
            return [str(m) for m in messages], None
    return None, worker


def _child(read_fd: int, write_fd: int, work: Callable[[], list[str]]) -> None:  # pragma: no cover - child process
    status = 0
    try:
        os.close(read_fd)
        os.setsid()  # out of git's session: no terminal signals, no waiting by git
        if os.fork() != 0:
            os._exit(0)
        _detach_stdio()
        _write_all(write_fd, f"{os.getpid()}\n".encode())
        messages = work()
        _write_all(write_fd, json.dumps(messages).encode() + b"\n")
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        status = 1
    finally:
        os._exit(status)


def _detach_stdio() -> None:
    # git (or whoever runs git and reads its output) waits until every holder of its
    # stdout/stderr pipes is gone: the worker must not hold them.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError:
            return  # the hook stopped waiting: the audit log has the results anyway
        view = view[written:]


def _read_until(fd: int, deadline: float) -> bytes:
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
