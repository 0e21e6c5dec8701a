"""Backlog.md decision records (``backlog/decisions/decision-N - Title.md``): read and create."""

from __future__ import annotations

import os
import re
from pathlib import Path

from flowops.atomic import atomic_write_bytes
from flowops.backlog.frontmatter import Frontmatter, FrontmatterError
from flowops.backlog.jsyaml import js_string
from flowops.backlog.model import Decision
from flowops.backlog.naming import titled_filename
from flowops.backlog.taskfile import normalize_date, read_backlog_file, SplitDocument, TaskParseError
from flowops.errors import NotFoundError, StoreError, UsageError
from flowops.locks import file_lock

KEY_ORDER = ["id", "title", "date", "status"]
_NAME_RE = re.compile(r"^decision-(\d+)(?: - .*)?\.md$", re.I)


def read_decision(path: Path) -> Decision:
    split = SplitDocument(read_backlog_file(path))
    try:
        values = Frontmatter.parse(split.front_text).as_dict()
    except FrontmatterError as exc:
        raise TaskParseError(str(exc), exc.line) from None
    decision = Decision(
        id=js_string(values.get("id")),
        title=js_string(values.get("title")),
        date=normalize_date(values.get("date")),
        status=js_string(values.get("status")) or "proposed",
        body=split.body_text,
        extra={k: v for k, v in values.items() if k not in KEY_ORDER},
        path=path,
    )
    if not decision.id:
        raise TaskParseError("the frontmatter has no 'id'", 2)
    return decision


def render_new_decision(decision: Decision) -> bytes:
    """A new decision exactly as Backlog.md writes one: the three sections, empty to fill in."""
    front = Frontmatter()
    for key in KEY_ORDER:
        front.set(key, getattr(decision, key), order=KEY_ORDER)
    body = decision.body or "## Context\n\n\n\n## Decision\n\n\n\n## Consequences\n\n"
    if not body.endswith("\n"):
        body += "\n"
    return f"---\n{front.render()}\n---\n{body}".encode("utf-8")


class Decisions:
    """The decisions folder of a backlog."""

    def __init__(self, backlog) -> None:
        self.backlog = backlog
        self.dir = backlog.dir / "decisions"

    def _files(self) -> list[Path]:
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        return sorted((self.dir / n for n in names if _NAME_RE.match(n)), key=lambda p: int(_NAME_RE.match(p.name).group(1)))

    def list(self) -> tuple[list[Decision], list[tuple[Path, str]]]:
        decisions, bad = [], []
        for path in self._files():
            try:
                decisions.append(read_decision(path))
            except (TaskParseError, OSError) as exc:
                bad.append((path, getattr(exc, "reason", str(exc))))
        return decisions, bad

    def get(self, decision_id: str) -> Decision:
        wanted = decision_id.strip().lower().removeprefix("decision-")
        if not wanted.isdigit():
            raise UsageError(f"'{decision_id}' is not a decision id", hint="use decision-<number>, e.g. decision-2")
        for path in self._files():
            if int(_NAME_RE.match(path.name).group(1)) == int(wanted):
                try:
                    return read_decision(path)
                except TaskParseError as exc:
                    raise StoreError(f"decision-{wanted} cannot be read: {exc.reason}", path=self.backlog.relpath(path),
                                     line=exc.line, hint="fix the file by hand; it was not changed") from None
        raise NotFoundError(f"decision decision-{wanted} not found", hint="`flowops decision list` shows the decisions")

    def create(self, title: str, *, status: str = "proposed") -> Decision:
        from flowops.backlog.store import now_stamp

        title = " ".join(title.split())
        if not title:
            raise UsageError("a decision needs a title")
        with file_lock(self.backlog._locks_dir() / "create-decision.lock"):
            numbers = [int(_NAME_RE.match(p.name).group(1)) for p in self._files()]
            decision = Decision(f"decision-{max(numbers, default=0) + 1}", title, now_stamp(), status or "proposed")
            path = self.dir / titled_filename(decision.id, title)
            atomic_write_bytes(path, render_new_decision(decision))
        decision.path = path
        decision.body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        return decision
