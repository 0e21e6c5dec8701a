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
concurrent emitters never interleave or tear lines and the chain stays linear.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Iterator

from flowops.events.model import utc_now
from flowops.locks import file_lock

LOG_NAME = "log/events.jsonl"  # inside the project's state folder (flowops.statedir)
GENESIS = "0" * 64  # ``prev`` of the first record


def log_path(project: Any) -> Path:
    """The audit log of ``project``: ``.git/flowops/log/events.jsonl`` in a git repository."""
    return _state_dir(project) / LOG_NAME


def shown_path(project: Any) -> str:
    """The log's path for messages (relative to the project root when it is inside it)."""
    return _relative(project, log_path(project))


def _state_dir(project: Any) -> Path:
    folder = getattr(project, "state_dir", None)
    if folder is None:
        from flowops.statedir import state_dir

        folder = state_dir(project.root)
    return Path(folder)


def _relative(project: Any, path: Path) -> str:
    try:
        return path.relative_to(Path(project.root).resolve()).as_posix()
    except ValueError:
        try:
            return path.relative_to(Path(project.root)).as_posix()
        except ValueError:
            return str(path)


def append(project: Any, records: list[dict]) -> list[dict]:
    """Chain and append ``records`` (each gets ``time`` if missing, ``prev`` and ``hash``); return them."""
    if not records:
        return []
    path = log_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    chained = []
    with file_lock(path.with_name(path.name + ".lock")):
        prev, needs_newline = _tail_link(path)
        lines = []
        for record in records:
            body = {"time": utc_now(), **record, "prev": prev}
            body.pop("hash", None)
            body["hash"] = prev = _digest(body)
            chained.append(body)
            lines.append(_canonical(body))
        data = ("\n" if needs_newline else "") + "\n".join(lines) + "\n"
        _append_durably(path, data.encode("utf-8"))
    return chained


@dataclass
class LogEntry:
    line: int
    record: dict | None  # None when the line is not valid JSON
    raw: str


def entries(project: Any) -> Iterator[LogEntry]:
    """Every line of the log, in order (none when there is no log yet)."""
    path = log_path(project)
    try:
        handle = path.open("r", encoding="utf-8", errors="replace", newline="\n")
    except FileNotFoundError:
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip("\n")
            if not raw:
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                record = None
            yield LogEntry(number, record if isinstance(record, dict) else None, raw)


def record_type(record: dict) -> str | None:
    """The event type a record is about (events and deliveries alike)."""
    if record.get("kind") == "event":
        return (record.get("event") or {}).get("type")
    return record.get("type")


def select(project: Any, *, type_glob: str | None = None, tail: int | None = None) -> list[dict]:
    """Readable records, optionally only those whose event type matches ``type_glob``, last ``tail`` of them."""
    found = [
        entry.record
        for entry in entries(project)
        if entry.record is not None and (type_glob is None or fnmatchcase(record_type(entry.record) or "", type_glob))
    ]
    return found[-tail:] if tail else found


@dataclass
class Verification:
    ok: bool
    records: int
    line: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict:
        return {"ok": self.ok, "records": self.records, "line": self.line, "problem": self.problem}


def verify(project: Any) -> Verification:
    """Walk the chain; report the first record that was changed, removed or is unreadable."""
    expected_prev = GENESIS
    count = 0
    for entry in entries(project):
        count += 1
        record = entry.record
        if record is None:
            return Verification(False, count, entry.line, "not a valid JSON record (torn or edited line)")
        if record.get("prev") != expected_prev:
            return Verification(
                False, count, entry.line, "the link to the previous record is broken: a record before this line was removed or changed"
            )
        body = {key: value for key, value in record.items() if key != "hash"}
        if record.get("hash") != _digest(body):
            return Verification(False, count, entry.line, "this record was changed after it was written (hash mismatch)")
        expected_prev = record["hash"]
    return Verification(True, count)


def _tail_link(path: Path) -> tuple[str, bool]:
    """(hash to chain onto, whether the file lacks its final newline)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            if size == 0:
                return GENESIS, False
            block = 4096
            data = b""
            position = size
            # Read backwards until the last complete line is in hand.
            while position > 0:
                step = min(block, position)
                position -= step
                handle.seek(position)
                data = handle.read(step) + data
                if data.rstrip(b"\n").rfind(b"\n") != -1:
                    break
    except FileNotFoundError:
        return GENESIS, False
    needs_newline = not data.endswith(b"\n")
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        link = json.loads(last).get("hash")
    except (ValueError, AttributeError):
        link = None
    if not isinstance(link, str):
        # A damaged last line: chain onto its bytes so the damage stays visible to verify.
        link = hashlib.sha256(last).hexdigest()
    return link, needs_newline


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
