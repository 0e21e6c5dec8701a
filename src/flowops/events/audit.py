"""The audit log, ``.git/flowops/log/events.jsonl``: append-only and hash-chained.

It lives in the project's state folder (flowops.statedir: the git folder in a git
repository, ``.flowops/`` outside git), never in the working tree.

One JSON record per line: ``kind`` "event" (the whole CloudEvent), "delivery" (one
handler's result) or "error" (something that stopped delivery). Each record carries
``prev``, the hash of the record before it, and ``hash``, the SHA-256 of its own
canonical JSON without ``hash``. Changing a record breaks its own hash; removing one
breaks the next record's ``prev``. Removing records from the very end leaves a valid
shorter chain: keep a copy of the last hash elsewhere if that matters.

Appends take a lock, write all of an emit's records in one ``write`` and fsync, so
concurrent emitters never interleave and the chain stays linear. A process killed in
the middle of that write (kill -9, a power cut) can still leave part of a line with no
final newline. Readers treat such a tail as not written (all-or-nothing, as far as they
can tell); ``verify`` reports it as an interrupted write; the next append truncates the
file back to its last complete record and records a ``log.repaired`` record saying how
many bytes it dropped, so the chain verifies again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.events.model import utc_now
from flowops.locks import file_lock

if TYPE_CHECKING:
    from flowops.project import Project

LOG_NAME = "log/events.jsonl"  # inside the project's state folder (flowops.statedir)
GENESIS = "0" * 64  # ``prev`` of the first record


def log_path(project: Project) -> Path:
    """The audit log of ``project``: ``.git/flowops/log/events.jsonl`` in a git repository."""
    return _state_dir(project) / LOG_NAME


def shown_path(project: Project) -> str:
    """The log's path for messages (relative to the project root when it is inside it)."""
    return _relative(project, log_path(project))


def _state_dir(project: Project) -> Path:
    folder = getattr(project, "state_dir", None)
    if folder is None:
        from flowops.statedir import state_dir

        folder = state_dir(project.root)
    return Path(folder)


def _relative(project: Project, path: Path) -> str:
    try:
        return path.relative_to(Path(project.root).resolve()).as_posix()
    except ValueError:
        try:
            return path.relative_to(Path(project.root)).as_posix()
        except ValueError:
            return str(path)


def append(project: Project, records: list[dict]) -> list[dict]:
    """Chain and append ``records`` (each gets ``time`` if missing, ``prev`` and ``hash``); return them.

    A torn tail left by an interrupted write is cut off first, and a ``log.repaired``
    record says so.
    """
    if not records:
        return []
    path = log_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    chained = []
    with file_lock(path.with_name(path.name + ".lock")):
        prev, torn = _tail(path)
        if torn is not None:
            offset, dropped = torn
            _truncate(path, offset)
            records = [
                {
                    "kind": "log.repaired",
                    "dropped_bytes": len(dropped),
                    "dropped_sha256": hashlib.sha256(dropped).hexdigest(),
                    "note": "an interrupted write left an incomplete last line; it was removed",
                },
                *records,
            ]
        lines = []
        for record in records:
            body = {"time": utc_now(), **record, "prev": prev}
            body.pop("hash", None)
            body["hash"] = prev = _digest(body)
            chained.append(body)
            lines.append(_canonical(body))
        data = "\n".join(lines) + "\n"
        _append_durably(path, data.encode("utf-8"))
    return chained[1:] if torn is not None else chained


@dataclass
class LogEntry:
    """One line of the audit log, parsed when it can be."""

    line: int
    record: dict | None  # None when the line is not valid JSON
    raw: str
    complete: bool = True  # False for a last line without its newline: an interrupted write


def entries(project: Project) -> Iterator[LogEntry]:
    """Every line of the log, in order (none when there is no log yet).

    The last line is marked incomplete when it lacks its newline (a write still in
    progress, or one that was interrupted).
    """
    path = log_path(project)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        for number, data in enumerate(handle, start=1):
            complete = data.endswith(b"\n")
            raw = data.rstrip(b"\n").decode("utf-8", "replace")
            if not raw:
                continue
            record = None
            if complete:
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError:
                    record = None
            yield LogEntry(number, record if isinstance(record, dict) else None, raw, complete)


def record_type(record: dict) -> str | None:
    """The event type a record is about (events and deliveries alike)."""
    if record.get("kind") == "event":
        return (record.get("event") or {}).get("type")
    return record.get("type")


def select(project: Project, *, type_glob: str | None = None, tail: int | None = None) -> list[dict]:
    """Readable records, optionally only those whose event type matches ``type_glob``, last ``tail`` of them."""
    found = [
        entry.record
        for entry in entries(project)
        if entry.record is not None
        and entry.record.get("kind") != "log.repaired"
        and (type_glob is None or fnmatchcase(record_type(entry.record) or "", type_glob))
    ]
    return found[-tail:] if tail else found


@dataclass
class Interrupted:
    """A line an interrupted write left: ``repaired`` once a later record chained past it."""

    line: int
    size: int
    repaired: bool

    def to_dict(self) -> dict:
        return {"line": self.line, "bytes": self.size, "repaired": self.repaired}


@dataclass
class Verification:
    """What ``verify`` found: whether the chain holds, and where it first breaks."""

    ok: bool
    records: int
    line: int | None = None
    problem: str | None = None
    interrupted: list[Interrupted] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "records": self.records,
            "line": self.line,
            "problem": self.problem,
            "interrupted": [i.to_dict() for i in self.interrupted],
        }


def verify(project: Project) -> Verification:
    """Walk the chain; report the first record that was changed, removed or is unreadable.

    Interrupted writes are not damage: an incomplete last line (the next append removes
    it), or a torn line that the next record explicitly chains past (what versions before
    the repair record did), are listed in ``interrupted`` and the chain still verifies.
    """
    expected_prev = GENESIS
    count = 0
    interrupted: list[Interrupted] = []
    pending: LogEntry | None = None  # an unreadable line the next record may chain past
    for entry in entries(project):
        if not entry.complete:
            interrupted.append(Interrupted(entry.line, len(entry.raw.encode("utf-8")), False))
            break
        record = entry.record
        if pending is not None:
            torn_hash = hashlib.sha256(pending.raw.encode("utf-8")).hexdigest()
            if record is None or record.get("prev") != torn_hash:
                return Verification(False, count, pending.line, "not a valid JSON record (torn or edited line)", interrupted)
            interrupted.append(Interrupted(pending.line, len(pending.raw.encode("utf-8")), True))
            expected_prev, pending = torn_hash, None
        if record is None:
            pending = entry
            continue
        count += 1
        if record.get("prev") != expected_prev:
            return Verification(
                False, count, entry.line,
                "the link to the previous record is broken: a record before this line was removed or changed", interrupted,
            )
        body = {key: value for key, value in record.items() if key != "hash"}
        if record.get("hash") != _digest(body):
            return Verification(False, count, entry.line, "this record was changed after it was written (hash mismatch)", interrupted)
        expected_prev = record["hash"]
    if pending is not None:
        return Verification(False, count, pending.line, "not a valid JSON record (torn or edited line)", interrupted)
    return Verification(True, count, interrupted=interrupted)


def _tail(path: Path) -> tuple[str, tuple[int, bytes] | None]:
    """(hash to chain onto, (offset, bytes) of an incomplete last line, or None)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return GENESIS, None
    with handle:
        size = handle.seek(0, os.SEEK_END)
        end = _rfind(handle, b"\n", size) + 1  # just after the last newline; 0 when there is none
        torn = None
        if end < size:
            handle.seek(end)
            torn = (end, handle.read(size - end))
        # The last complete, non-empty line ends at the last newline before `end`.
        while end > 0:
            start = _rfind(handle, b"\n", end - 1) + 1
            handle.seek(start)
            last = handle.read(end - 1 - start)
            if last.strip():
                break
            end = start
        else:
            return GENESIS, torn
    try:
        link = json.loads(last).get("hash")
    except (ValueError, AttributeError):
        link = None
    if not isinstance(link, str):
        # A damaged complete line: chain onto its bytes so the damage stays visible to verify.
        link = hashlib.sha256(last).hexdigest()
    return link, torn


def complete_size(project: Project) -> int:
    """The log's size up to its last complete record (where the next append starts writing)."""
    path = log_path(project)
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    _link, torn = _tail(path)
    return torn[0] if torn is not None else size


def _rfind(handle: Any, needle: bytes, before: int, block: int = 4096) -> int:
    """The offset of the last ``needle`` (one byte) before offset ``before``, or -1."""
    position = before
    while position > 0:
        step = min(block, position)
        position -= step
        handle.seek(position)
        found = handle.read(step).rfind(needle)
        if found != -1:
            return position + found
    return -1


def _truncate(path: Path, offset: int) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, offset)
        os.fsync(fd)
    finally:
        os.close(fd)


def _append_durably(path: Path, data: bytes) -> None:
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        from flowops.atomic import _fsync_dir

        _fsync_dir(path.parent)


def _canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(body: dict) -> str:
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()
