"""An incident's timeline: timestamped entries in a ``## Timeline`` section of its task.

Each entry is one list item, oldest first::

    - 2026-11-29T08:47:00Z [opened alertmanager] HighErrorRate: checkout 5xx above 1%
    - 2026-11-29T08:52:13Z [note Sara] rolled back to v1.4.2

``[kind by]`` says what happened and who recorded it (``alertmanager`` for
notifications). Times are UTC, to the second. A multi-line text continues on lines
indented four spaces, so that nothing in it can open a heading, a code fence or a
Backlog.md marker. Backlog.md keeps the section as written (it does not know it);
lines that do not parse, such as a remark added by hand, are kept and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flowops.backlog.sections import Body

TITLE = "Timeline"
ALERTMANAGER = "alertmanager"
KINDS = (
    "opened",  # the incident was opened
    "firing",  # an alert of the group started firing
    "alert-resolved",  # one alert of the group stopped firing
    "repeat",  # a notification that changed nothing
    "severity",  # the severity changed
    "ack",  # a person acknowledged it
    "note",  # a person wrote a note
    "resolved",  # the incident was resolved
    "postmortem",  # the postmortem document and task were created
    "action-items",  # action items became tasks
    "waived",  # the postmortem was waived, with a reason
)
MAX_TEXT = 8 * 1024  # characters in one entry; longer material belongs in a document

_ENTRY_RE = re.compile(
    r"^- (?P<at>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z| ?UTC|[+-]\d{2}:?\d{2})?) "
    r"\[(?P<kind>[a-z][a-z-]*)(?: (?P<by>[^\]\n]+))?\](?: (?P<text>.*))?$"
)
_CONTINUATION = "    "


@dataclass(frozen=True)
class Entry:
    """One timeline entry. ``line`` is its 1-based line within the section (None for new ones)."""

    at: datetime
    kind: str
    text: str = ""
    by: str | None = None
    line: int | None = field(default=None, compare=False)

    def render(self) -> str:
        """The entry as list-item lines (no trailing newline)."""
        head = f"- {format_time(self.at)} [{self.kind}{' ' + self.by if self.by else ''}]"
        lines = self.text.split("\n")
        first = f"{head} {lines[0]}" if lines[0] else head
        return "\n".join([first, *(_CONTINUATION + line if line else "" for line in lines[1:])]).rstrip()

    @property
    def by_person(self) -> bool:
        """True when a person (not Alertmanager) recorded the entry."""
        return bool(self.by) and self.by != ALERTMANAGER

    def to_dict(self) -> dict:
        return {"at": format_time(self.at), "kind": self.kind, "by": self.by, "text": self.text}


def new_entry(at: datetime, kind: str, text: str = "", by: str | None = None) -> Entry:
    """An entry with ``text`` and ``by`` made safe to write (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown timeline entry kind {kind!r}")
    clean = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"))
    who = " ".join((by or "").replace("]", ")").split()) or None
    return Entry(at.astimezone(UTC).replace(microsecond=0), kind, clean, who)


def format_time(at: datetime) -> str:
    """``2026-11-29T08:47:00Z``: UTC, to the second."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """A UTC datetime from RFC 3339 (``2026-11-29T08:47:00Z``, an offset, fractions), or
    ``YYYY-MM-DD HH:MM[:SS]`` / ``YYYY-MM-DD`` read as UTC. Raises ValueError."""
    value = text.strip()
    if value.endswith("UTC"):
        value = value[:-3].rstrip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Go writes up to nine fraction digits; Python reads at most six.
    value = re.sub(r"(\.\d{6})\d+", r"\1", value)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_entries(section: str) -> list[Entry]:
    """The entries of a timeline section's text (heading included or not)."""
    entries: list[Entry] = []
    current: dict | None = None

    def close() -> None:
        if current is not None:
            try:
                at = parse_time(current["at"])
            except ValueError:
                return
            entries.append(Entry(at, current["kind"], "\n".join(current["text"]).rstrip(), current["by"], current["line"]))

    for number, line in enumerate(section.split("\n"), 1):
        match = _ENTRY_RE.match(line)
        if match:
            close()
            current = {"at": match["at"], "kind": match["kind"], "by": match["by"], "text": [match["text"] or ""], "line": number}
        elif current is not None and line.startswith(_CONTINUATION):
            current["text"].append(line[len(_CONTINUATION):])
        elif current is not None and not line.strip():
            current["text"].append("")
        else:
            close()
            current = None
    close()
    return entries


def read_timeline(body: Body) -> list[Entry]:
    """The entries of the body's ``## Timeline`` section (none without one)."""
    block = body.other_block(TITLE)
    return parse_entries(block.text) if block is not None else []


def append_entries(body: Body, entries: list[Entry]) -> None:
    """Add ``entries`` at the end of the body's timeline (made after the description when missing)."""
    if not entries:
        return
    block = body.other_block(TITLE)
    existing = block.text.rstrip() if block is not None else f"## {TITLE}\n"
    body.set_other_block(TITLE, existing + "\n" + "\n".join(entry.render() for entry in entries))


def render_section(entries: list[Entry]) -> str:
    """A whole ``## Timeline`` block holding ``entries``."""
    return f"## {TITLE}\n\n" + "\n".join(entry.render() for entry in entries)


def check_text(text: str, what: str = "the text") -> str:
    """``text`` trimmed; ValueError when it is empty or longer than MAX_TEXT."""
    value = text.strip()
    if not value:
        raise ValueError(f"{what} is empty")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is {len(value)} characters, over the {MAX_TEXT} allowed in one timeline entry")
    return value


def duration_text(delta: timedelta) -> str:
    """``1 h 07 min``, ``12 min``, ``45 s``: a duration for people."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


_FINGERPRINTS_RE = re.compile(r"\(fingerprints? ([0-9a-f]+(?:, [0-9a-f]+)*)\)")


def fingerprint_note(fingerprints: list[str]) -> str:
    """``(fingerprint a1b2)`` or ``(fingerprints a1b2, c3d4)``: how entries name the alerts they are about."""
    return f"(fingerprint{'s' if len(fingerprints) > 1 else ''} {', '.join(fingerprints)})"


def fingerprints_in(text: str) -> list[str]:
    """The alert fingerprints an entry's text names (see ``fingerprint_note``)."""
    found: list[str] = []
    for match in _FINGERPRINTS_RE.finditer(text):
        found.extend(part.strip() for part in match.group(1).split(","))
    return found
