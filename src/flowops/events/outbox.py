"""The outbox, ``.git/flowops/outbox.jsonl``: one line per (event, handler) not yet delivered.

Like the audit log it lives in the project's state folder (flowops.statedir), never in
the working tree, so a clone cannot bring entries of its own.

Lines are appended under a lock with fsync, and rewritten atomically when a replay
removes what it delivered; a line flowops cannot read is kept as it is. A last line
without its newline is an append that was interrupted (kill -9): readers skip it and the
next append or replay cuts it off.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flowops.atomic import atomic_write_text
from flowops.events.model import utc_now
from flowops.locks import file_lock

if TYPE_CHECKING:
    from flowops.project import Project

OUTBOX_NAME = "outbox.jsonl"  # inside the project's state folder (flowops.statedir)


@dataclass
class OutboxEntry:
    event: dict
    handler: str
    queued_at: str
    attempts: int
    last_error: str | None
    line: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.event.get("id", ""), self.handler)

    def to_dict(self) -> dict:
        return {
            "event": self.event,
            "handler": self.handler,
            "queued_at": self.queued_at,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


def outbox_path(project: Project) -> Path:
    """The outbox of ``project``: ``.git/flowops/outbox.jsonl`` in a git repository."""
    from flowops.events.audit import _state_dir

    return _state_dir(project) / OUTBOX_NAME


def _lock(path: Path):
    return file_lock(path.with_name(path.name + ".lock"))


def add(project: Project, event: dict, handler: str, attempts: int, error: str | None) -> None:
    """Queue ``event`` for ``handler``; durable once this returns."""
    path = outbox_path(project)
    entry = OutboxEntry(event, handler, utc_now(), attempts, error)
    line = json.dumps(entry.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path):
        _cut_torn_tail(path)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


def entries(project: Project) -> list[OutboxEntry]:
    """The queued entries in order; unreadable lines are skipped (and kept on disk)."""
    return [entry for entry in (_parse(number, raw) for number, raw in _lines(outbox_path(project))) if entry]


def settle(project: Project, delivered: Iterable[tuple[str, str]], failed: dict[tuple[str, str], tuple[int, str | None]]) -> None:
    """Drop the ``delivered`` keys; record new attempt counts and errors for the ``failed`` ones.

    Entries queued meanwhile by other processes are kept: the file is re-read under the lock.
    """
    done = set(delivered)
    if not done and not failed:
        return
    path = outbox_path(project)
    with _lock(path):
        kept: list[str] = []
        for number, raw in _lines(path):
            entry = _parse(number, raw)
            if entry is None:
                kept.append(raw)
            elif entry.key in done:
                continue
            elif entry.key in failed:
                more, error = failed[entry.key]
                entry.attempts += more
                entry.last_error = error
                kept.append(json.dumps(entry.to_dict(), ensure_ascii=False, separators=(",", ":")))
            else:
                kept.append(raw)
        atomic_write_text(path, "".join(line + "\n" for line in kept))


def _lines(path: Path) -> list[tuple[int, str]]:
    """The complete lines: a last line without its newline is an interrupted append, not an entry."""
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    lines.pop()  # after the last newline: "" or the torn tail of an interrupted append
    return [(number, raw) for number, raw in enumerate(lines, start=1) if raw.strip()]


def _cut_torn_tail(path: Path) -> None:
    """Truncate ``path`` back to its last newline (call under the outbox lock)."""
    try:
        handle = path.open("rb+")
    except FileNotFoundError:
        return
    with handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        from flowops.events.audit import _rfind

        handle.truncate(_rfind(handle, b"\n", size) + 1)
        handle.flush()
        os.fsync(handle.fileno())


def _parse(number: int, raw: str) -> OutboxEntry | None:
    try:
        data = json.loads(raw)
        return OutboxEntry(
            event=dict(data["event"]),
            handler=str(data["handler"]),
            queued_at=str(data.get("queued_at", "")),
            attempts=int(data.get("attempts", 0)),
            last_error=data.get("last_error"),
            line=number,
        )
    except (ValueError, KeyError, TypeError):
        return None
