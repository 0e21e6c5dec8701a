"""Reading many task files at once, on every core when there are enough of them.

A cold listing of 10,000 tasks is CPU-bound parsing; splitting it across processes
(fork, one pipe each) roughly divides the time by the core count. Results travel as
plain tuples and lists (see records.py) through ``marshal``, which handles exactly those
built-in types and, for a listing's rows and text, dumps ~2x and loads ~1.3x faster than
pickle (5,000 rows with their text: 8 + 10 ms against 18 + 13 ms); it only ever reads
what our own child wrote, never a file, and builds data, never runs code. An answer
marshal cannot hold (a YAML date among unknown frontmatter keys) travels pickled.

concurrent.futures.ProcessPoolExecutor (fork context) does the same job in a few lines
but costs ~50 ms more per cold listing of 10,000 tasks (0.661 s against 0.611 s, 15
interleaved runs; importing multiprocessing is ~17 ms of it, its queues, feeder and
manager threads the rest), so the fork and pipes stay (issue 11, docs/benchmarks.md).
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flowops.backlog.quickread import quick_record
from flowops.backlog.records import to_record
from flowops.backlog.taskfile import MAX_FILE_BYTES, TaskFile, TaskParseError
from flowops.safeio import RefusedFile, read_regular_stat

PARALLEL_THRESHOLD = 1500
T = TypeVar("T")


def read_record(path: str) -> tuple | None:
    """The task record (records.py) in ``path``, a ("bad", reason, line) tuple, or None if the file is gone."""
    return read_keyed(path)[1]


def read_keyed(path: str) -> tuple[tuple[int, int] | None, tuple | None]:
    """((size, mtime_ns), ``read_record``'s answer) of ``path``: the key of the file exactly as it was read.

    The key comes from the ``fstat`` of the open file (no extra call), or for a file refused
    or unreadable from its ``lstat``; None when it cannot be had (the file is gone).
    """
    try:
        raw, info = read_regular_stat(path, MAX_FILE_BYTES, what="a backlog file")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        reason = exc.reason if isinstance(exc, RefusedFile) else f"cannot read: {exc.strerror or exc}"
        try:
            st = os.lstat(path)
            key: tuple[int, int] | None = (st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        return key, ("bad", reason, None)
    key = (info.st_size, info.st_mtime_ns)
    record = quick_record(raw)
    if record is not None:
        return key, record
    try:
        return key, to_record(TaskFile(raw, Path(path)).parsed)
    except TaskParseError as exc:
        return key, ("bad", exc.reason, exc.line)


def read_records(paths: list[str], convert: Callable[[tuple], Any] | None = None) -> list:
    """``read_record`` for every path, in order; parallel for large batches on Linux.

    ``convert`` turns each task record into what the caller keeps (listing rows, say) in
    the process that read it, so that work is shared across the cores too and less
    travels back; bad files and missing ones come back as they are.
    """
    def read(path: str) -> Any:
        record = read_record(path)
        if convert is None or record is None or record[0] == "bad":
            return record
        return convert(record)

    ordered: list = [None] * len(paths)
    for positions, results in in_chunks(len(paths), lambda positions: [read(paths[i]) for i in positions]):
        ordered[positions.start::positions.step] = results
    return ordered


def in_chunks(count: int, work: Callable[[range], T]) -> list[tuple[range, T]]:
    """``work`` over the positions 0..count-1, split in interleaved ranges, one per core for large batches on Linux.

    Each range's answer is made in its own forked process and travels back through
    ``marshal`` (so it must be plain built-in data: an answer that is not comes back by the
    parent redoing that range); the parent does the first range meanwhile, and any range whose
    process died. Returns (range, answer) pairs covering every position once.
    """
    workers = min(os.cpu_count() or 1, 8)
    if count < PARALLEL_THRESHOLD or workers < 2 or not sys.platform.startswith("linux"):
        whole = range(count)
        return [(whole, work(whole))]
    chunks = [range(i, count, workers) for i in range(workers)]
    children: list[tuple[int, int]] = []
    for chunk in chunks[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                os.close(read_fd)
                answer: Any = work(chunk)
                try:
                    kind, payload = b"M", marshal.dumps(answer)
                except ValueError:  # a value marshal cannot hold (a YAML date in unknown frontmatter, say)
                    import pickle

                    kind, payload = b"P", pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(kind)
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_fd)
        children.append((pid, read_fd))
    answers: list[tuple[range, T]] = [(chunks[0], work(chunks[0]))]
    for (pid, read_fd), chunk in zip(children, chunks[1:], strict=True):
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            if data[:1] == b"M":
                answers.append((chunk, marshal.loads(memoryview(data)[1:])))  # from our own child process, data only
            else:
                import pickle

                answers.append((chunk, pickle.loads(memoryview(data)[1:])))  # noqa: S301 - from our own child process
        except Exception:
            answers.append((chunk, work(chunk)))  # the child died: do it here
    return answers
