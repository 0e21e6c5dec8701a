"""Backlog.md decision records (``backlog/decisions/decision-N - Title.md``): read and create."""

from __future__ import annotations

import os
import re
from pathlib import Path

from flowops.atomic import atomic_write_bytes
from flowops.backlog.fields import normalize_date
from flowops.backlog.frontmatter import Frontmatter, FrontmatterError
from flowops.backlog.ids import UsedId, allocating
from flowops.backlog.jsyaml import js_string
from flowops.backlog.model import Decision
from flowops.backlog.naming import titled_filename
from flowops.backlog.taskfile import SplitDocument, TaskParseError, read_backlog_file
from flowops.errors import NotFoundError, StoreError, UsageError

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
    return f"---\n{front.render()}\n---\n{body}".encode()


class Decisions:
    """The decisions folder of a backlog."""

    def __init__(self, backlog) -> None:
        self.backlog = backlog
        self.dir = backlog.dir / "decisions"

    def _numbered(self) -> list[tuple[int, Path]]:
        """(number, path) of every decision file, by number."""
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        return sorted((int(match.group(1)), self.dir / name) for name in names if (match := _NAME_RE.match(name)))

    def _used_ids(self) -> list[UsedId]:
        return [("decision", (number,)) for number, _path in self._numbered()]

    def list(self) -> tuple[list[Decision], list[tuple[Path, str]]]:
        decisions: list[Decision] = []
        bad: list[tuple[Path, str]] = []
        for _number, path in self._numbered():
            try:
                decisions.append(read_decision(path))
            except (TaskParseError, OSError) as exc:
                bad.append((path, getattr(exc, "reason", str(exc))))
        return decisions, bad

    def get(self, decision_id: str) -> Decision:
        wanted = decision_id.strip().lower().removeprefix("decision-")
        if not wanted.isdigit():
            raise UsageError(f"'{decision_id}' is not a decision id", hint="use decision-<number>, e.g. decision-2")
        for number, path in self._numbered():
            if number == int(wanted):
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
        with allocating(self.backlog.lock_file("create-decision.lock"), self._used_ids) as ids:
            decision = Decision(f"decision-{ids.next('decision')[0]}", title, now_stamp(), status or "proposed")
            path = self.dir / titled_filename(decision.id, title)
            atomic_write_bytes(path, render_new_decision(decision))
        decision.path = path
        decision.body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        return decision
