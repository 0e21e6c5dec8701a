"""Reading many task files at once, on every core when there are enough of them.

A cold listing of 10,000 tasks is CPU-bound parsing; splitting it across processes
(fork, one pipe each) roughly divides the time by the core count. Results travel as
plain tuples (see records.py), which pickle quickly; the pickles come only from our own
children, never from a file.

concurrent.futures.ProcessPoolExecutor (fork context) does the same job in a few lines
but costs ~50 ms more per cold listing of 10,000 tasks (0.661 s against 0.611 s, 15
interleaved runs; importing multiprocessing is ~17 ms of it, its queues, feeder and
manager threads the rest), so the fork and pipes stay (issue 11, docs/benchmarks.md).
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flowops.backlog.quickread import quick_record
from flowops.backlog.records import to_record
from flowops.backlog.taskfile import MAX_FILE_BYTES, TaskFile, TaskParseError
from flowops.safeio import RefusedFile, read_regular

PARALLEL_THRESHOLD = 1500


def read_record(path: str) -> tuple | None:
    """The task record (records.py) in ``path``, a ("bad", reason, line) tuple, or None if the file is gone."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES, what="a backlog file")
    except FileNotFoundError:
        return None
    except RefusedFile as exc:
        return ("bad", exc.reason, None)
    except OSError as exc:
        return ("bad", f"cannot read: {exc.strerror or exc}", None)
    record = quick_record(raw)
    if record is not None:
        return record
    try:
        return to_record(TaskFile(raw, Path(path)).parsed)
    except TaskParseError as exc:
        return ("bad", exc.reason, exc.line)


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

    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_THRESHOLD or workers < 2 or not sys.platform.startswith("linux"):
        return [read(p) for p in paths]
    chunks = [paths[i::workers] for i in range(workers)]
    children: list[tuple[int, int]] = []
    for chunk in chunks[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                os.close(read_fd)
                payload = pickle.dumps([read(p) for p in chunk], protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_fd)
        children.append((pid, read_fd))
    results_by_chunk: list[list] = [[read(p) for p in chunks[0]]]
    for pid, read_fd in children:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            portable = pickle.loads(data)  # noqa: S301 - from our own child process
        except Exception:
            portable = None
        chunk = chunks[len(results_by_chunk)]
        if portable is None or len(portable) != len(chunk):
            results_by_chunk.append([read(p) for p in chunk])  # the child died: do it here
        else:
            results_by_chunk.append(portable)
    ordered: list = [None] * len(paths)
    for index, chunk_results in enumerate(results_by_chunk):
        ordered[index::workers] = chunk_results
    return ordered
