"""Documents and decisions of a Backlog.md backlog (``flowops.backlog.model`` offers both names too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class _Written:
    """A document or decision: a record with a file once the store has read or written it."""

    id: str
    path: Path | None

    @property
    def file(self) -> Path:
        """The file this record was read from or written to (the store sets it on every record it returns)."""
        if self.path is None:
            raise ValueError(f"{self.id} has not been written yet")
        return self.path


@dataclass
class Document(_Written):
    """A Backlog.md document (``backlog/docs/doc-N - Title.md``)."""

    id: str
    title: str
    type: str = "other"
    created_date: str = ""
    updated_date: str | None = None
    tags: list[str] = field(default_factory=list)
    body: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


@dataclass
class Decision(_Written):
    """A Backlog.md decision record (``backlog/decisions/decision-N - Title.md``)."""

    id: str
    title: str
    date: str = ""
    status: str = "proposed"
    body: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
