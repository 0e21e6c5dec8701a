"""The markdown body of a Backlog.md task: its sections, read and edited in place.

The body is split into a preamble and blocks. A block starts at a top-level ``## ``
heading (not inside a code fence or a marker region). Known sections (Description,
Acceptance Criteria, ...) are recognised by their heading; their content sits between
Backlog.md's markers (``<!-- SECTION:DESCRIPTION:BEGIN -->`` ... ``END``) or, in legacy
files, runs to the next known heading. Every block keeps its exact text and the blank
lines after it, so joining them gives back the body byte for byte, and an edit replaces
only the block it changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class BodyError(ValueError):
    """The body cannot be read safely (e.g. unbalanced markers); ``line`` is body-relative, 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class SectionSpec:
    """A section Backlog.md knows: its key, heading (and older headings), markers and kind."""

    key: str
    title: str
    marker: str  # SECTION:DESCRIPTION, AC, DOD, COMMENTS
    kind: str  # text | checklist | comments
    aliases: tuple[str, ...] = ()

    @property
    def begin(self) -> str:
        return f"<!-- {self.marker}:BEGIN -->"

    @property
    def end(self) -> str:
        return f"<!-- {self.marker}:END -->"


SPECS: tuple[SectionSpec, ...] = (
    SectionSpec("description", "Description", "SECTION:DESCRIPTION", "text"),
    SectionSpec("acceptance_criteria", "Acceptance Criteria", "AC", "checklist", ("Acceptance Criteria (Optional)",)),
    SectionSpec("definition_of_done", "Definition of Done", "DOD", "checklist"),
    SectionSpec("implementation_plan", "Implementation Plan", "SECTION:PLAN", "text", ("Implementation Plan (Optional)",)),
    SectionSpec(
        "implementation_notes",
        "Implementation Notes",
        "SECTION:NOTES",
        "text",
        ("Implementation Notes (Optional)", "Notes", "Notes & Comments (Optional)"),
    ),
    SectionSpec("comments", "Comments", "COMMENTS", "comments"),
    SectionSpec("final_summary", "Final Summary", "SECTION:FINAL_SUMMARY", "text"),
)
BY_KEY = {spec.key: spec for spec in SPECS}
ORDER = [spec.key for spec in SPECS]
_BY_TITLE = {}
for _spec in SPECS:
    for _title in (_spec.title, *_spec.aliases):
        _BY_TITLE[_title.lower()] = _spec

_HEADING_RE = re.compile(r"^##[ \t]+(.+?)[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_MARKER_RE = re.compile(r"^<!-- (SECTION:[A-Z][A-Z0-9_]*|COMMENTS|COMMENT|AC|DOD):(BEGIN|END) -->[ \t]*$")
_ITEM_RE = re.compile(r"^- \[([ x])\] (?:#\d+ )?(.+)$", re.M)


@dataclass
class Criterion:
    """One acceptance criterion or Definition-of-Done item (``index`` is 1-based)."""

    index: int
    text: str
    checked: bool = False


@dataclass
class Comment:
    """One entry of the Comments section."""

    index: int
    body: str
    author: str | None = None
    created: str = ""


@dataclass
class Block:
    """One block of a body: a section or other content from its heading on, with the gap after it."""

    key: str | None  # a SectionSpec key, or None for other content
    text: str  # from the heading to the last non-blank line (LF newlines)
    gap: str  # the newlines / blank lines that follow
    marked: bool = False
    heading: str | None = None


@dataclass
class Body:
    """A task's markdown body: the preamble and its blocks, which join back to the exact text."""

    preamble: str
    blocks: list[Block] = field(default_factory=list)

    # -- reading --------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Body:
        """Split ``text`` (LF newlines) into preamble and blocks; raises BodyError on unbalanced markers."""
        return _parse(text)

    def render(self) -> str:
        return self.preamble + "".join(block.text + block.gap for block in self.blocks)

    def find(self, key: str) -> list[Block]:
        return [block for block in self.blocks if block.key == key]

    def text_value(self, key: str) -> str | None:
        """The trimmed content of a text section, or None when absent/empty."""
        blocks = self.find(key)
        if not blocks:
            return None
        value = _section_content(blocks[0]).strip()
        return value or None

    def checklist(self, key: str) -> list[Criterion]:
        items: list[Criterion] = []
        blocks = self.find(key)
        chosen = [b for b in blocks if b.marked] or blocks
        for block in chosen:
            for match in _ITEM_RE.finditer(_section_content(block)):
                items.append(Criterion(len(items) + 1, match.group(2), match.group(1) == "x"))
        return items

    def comments(self) -> list[Comment]:
        blocks = [b for b in self.find("comments") if b.marked]
        if not blocks:
            return []
        return parse_comments(_section_content(blocks[0]))

    # -- editing --------------------------------------------------------------
    def set_section(self, key: str, block_text: str | None) -> None:
        """Replace (or insert, or with None remove) the section ``key`` with ``block_text``."""
        existing = [i for i, b in enumerate(self.blocks) if b.key == key]
        if block_text is None:
            for index in reversed(existing):
                self._remove(index)
            return
        spec = BY_KEY[key]
        if existing:
            first = existing[0]
            self.blocks[first].text = block_text
            self.blocks[first].marked = True
            self.blocks[first].heading = spec.title
            for index in reversed(existing[1:]):
                self._remove(index)
            return
        self._insert(Block(key, block_text, "", True, spec.title))

    def _remove(self, index: int) -> None:
        removed = self.blocks.pop(index)
        if index == len(self.blocks) and self.blocks:
            # The last block carried the file's final newline; hand it to the new last block.
            self.blocks[-1].gap = removed.gap
        elif not self.blocks and not self.preamble.strip():
            self.preamble = "\n"

    # -- sections Backlog.md does not know (kept as written, e.g. an incident's Timeline) --
    def other_block(self, title: str) -> Block | None:
        """The first ``## <title>`` block that is not a Backlog.md section (title matched case-insensitively)."""
        wanted = " ".join(title.split()).lower()
        for block in self.blocks:
            if block.key is None and " ".join((block.heading or "").split()).lower() == wanted:
                return block
        return None

    def set_other_block(self, title: str, block_text: str) -> None:
        """Replace the ``## <title>`` block with ``block_text`` (heading included), or insert it after the description."""
        text = block_text.rstrip("\n")
        existing = self.other_block(title)
        if existing is not None:
            existing.text = text
            return
        described = [i for i, b in enumerate(self.blocks) if b.key == "description"]
        self._place(Block(None, text, "", False, title), described[-1] + 1 if described else len(self.blocks))

    def _insert(self, new: Block) -> None:
        rank = ORDER.index(new.key) if new.key is not None else len(ORDER)
        before = [i for i, b in enumerate(self.blocks) if b.key in ORDER and ORDER.index(b.key) < rank]
        after = [i for i, b in enumerate(self.blocks) if b.key in ORDER and ORDER.index(b.key) > rank]
        if before:
            position = max(before) + 1
        elif after:
            position = min(after)
        elif new.key == "description":
            position = 0  # a description leads the body, as Backlog.md writes it
        else:
            position = len(self.blocks)
        self._place(new, position)

    def _place(self, new: Block, position: int) -> None:
        if not self.blocks:
            if self.preamble.strip():
                self.preamble = self.preamble.rstrip("\n") + "\n\n"
            else:
                self.preamble = "\n"
            new.gap = "\n"
            self.blocks.append(new)
            return
        if position == len(self.blocks):
            last = self.blocks[-1]
            new.gap = last.gap if last.gap.count("\n") >= 1 else "\n"
            last.gap = "\n\n"
        else:
            new.gap = "\n\n"
            if position == 0 and self.preamble.strip():
                self.preamble = self.preamble.rstrip("\n") + "\n\n"
        self.blocks.insert(position, new)


# -- parsing ---------------------------------------------------------------------------


_INTERESTING_RE = re.compile(r"^(?:##[ \t]|<!-- |[ ]{0,3}(?:```|~~~))", re.M)


def _line_at(text: str, start: int) -> tuple[str, int]:
    end = text.find("\n", start)
    if end == -1:
        end = len(text)
    return text[start:end], end


def _line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _parse(text: str) -> Body:
    starts = _block_starts(text)
    if not starts:
        return Body(text)
    blocks = []
    for key, marked, title, start, stop in _raw_blocks(text, starts):
        chunk = text[start:stop]
        gap_start = _gap_start(chunk)
        blocks.append(Block(key, chunk[:gap_start], chunk[gap_start:], marked, title or None))
    return Body(text[: starts[0][0]], blocks)


def _block_starts(text: str) -> list[tuple[int, str, int | None]]:
    """(offset, heading title, end of its marked region or None) of every heading that opens a block."""
    # Only lines that can open a block, a fence or a marker region matter; finding them
    # with one regex scan keeps parsing cheap on large backlogs.
    starts: list[tuple[int, str, int | None]] = []
    fence: tuple[str, int] | None = None
    skip_until = -1
    for match in _INTERESTING_RE.finditer(text):
        offset = match.start()
        if offset < skip_until:
            continue
        line, line_end = _line_at(text, offset)
        if fence is not None:
            stripped = line.lstrip(" ")
            if len(line) - len(stripped) <= 3 and stripped.startswith(fence[0] * fence[1]) and not stripped.strip(fence[0]).strip():
                fence = None
            continue
        fence_match = _FENCE_RE.match(line)
        if fence_match:
            if not (fence_match.group(1)[0] == "`" and "`" in fence_match.group(2)):
                fence = (fence_match.group(1)[0], len(fence_match.group(1)))
            continue
        marker = _MARKER_RE.match(line)
        if marker:
            if marker.group(2) == "END":
                raise BodyError(f"found {line.strip()} without a matching BEGIN marker", _line_number(text, offset))
            skip_until = _matching_end(text, offset, line_end, marker.group(1))
            continue
        heading = _HEADING_RE.match(line)
        if not heading:
            continue
        title = heading.group(1).strip()
        spec = _BY_TITLE.get(title.lower())
        region_end = _marked_region_end(text, line_end, spec) if spec is not None else None
        if region_end is not None:
            skip_until = region_end
        starts.append((offset, title, region_end))
    return starts


def _marked_region_end(text: str, line_end: int, spec: SectionSpec) -> int | None:
    """Where the marker region right under a known heading ends (None when its first non-blank line is no BEGIN marker)."""
    probe = line_end + 1
    while probe < len(text):
        next_line, next_end = _line_at(text, probe)
        if next_line.strip():
            return _matching_end(text, probe, next_end, spec.marker) if next_line.rstrip() == spec.begin else None
        probe = next_end + 1
    return None


def _raw_blocks(text: str, starts: list[tuple[int, str, int | None]]) -> list[list]:
    """[key, marked, title, start offset, stop offset] of each block the headings at ``starts`` open."""
    raw_blocks: list[list] = []
    for n, (start, title, region_end) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        spec = _BY_TITLE.get(title.lower())
        if region_end is not None and spec is not None:  # a marked region follows known headings only
            if text[region_end:stop].strip():
                raw_blocks.append([spec.key, True, title, start, region_end])
                raw_blocks.append([None, False, "", region_end, stop])
            else:
                raw_blocks.append([spec.key, True, title, start, stop])
        elif raw_blocks and spec is None and raw_blocks[-1][0] is not None and not raw_blocks[-1][1]:
            # A legacy (unmarked) known section runs to the next known heading, as Backlog.md reads it.
            raw_blocks[-1][4] = stop
        else:
            raw_blocks.append([spec.key if spec else None, False, title, start, stop])
    return raw_blocks


def _gap_start(chunk: str) -> int:
    """Where the trailing blank lines of ``chunk`` begin (trailing spaces of its last line stay)."""
    content_end = len(chunk.rstrip(" \t\n"))
    newline = chunk.find("\n", content_end)
    return len(chunk) if newline == -1 else newline


def _matching_end(text: str, begin_offset: int, begin_line_end: int, family: str) -> int:
    """The offset just past the END marker line that closes the BEGIN marker at ``begin_offset``."""
    begin = f"<!-- {family}:BEGIN -->"
    end = f"<!-- {family}:END -->"
    depth = 1
    position = begin_line_end
    while True:
        next_begin = text.find(begin, position)
        next_end = text.find(end, position)
        if next_end == -1:
            raise BodyError(f"{begin} has no matching {end}", _line_number(text, begin_offset))
        candidates = [(next_end, "end")]
        if next_begin != -1 and next_begin < next_end:
            candidates = [(next_begin, "begin")]
        found, kind = candidates[0]
        line_start = text.rfind("\n", 0, found) + 1
        line, line_end = _line_at(text, line_start)
        position = found + 1
        if line.rstrip() != (begin if kind == "begin" else end):
            continue  # the marker text inside a longer line is content
        if kind == "begin":
            depth += 1
            continue
        depth -= 1
        if depth == 0:
            return line_end + 1 if line_end < len(text) else line_end


def _section_content(block: Block) -> str:
    text = block.text
    if block.marked and block.key is not None:  # a marked block is always a known section
        spec = BY_KEY[block.key]
        begin = text.find(spec.begin)
        start = text.find("\n", begin)
        end = text.rfind(spec.end)
        if start == -1 or end == -1 or end <= start:
            return ""
        return text[start + 1 : end].rstrip("\n") if end > start + 1 else ""
    newline = text.find("\n")
    return text[newline + 1 :] if newline != -1 else ""


def parse_comments(content: str) -> list[Comment]:
    """Read the entries between the COMMENTS markers (both Backlog.md layouts)."""
    comments: list[Comment] = []
    if "<!-- COMMENT:BEGIN -->" in content:
        for match in re.finditer(r"<!-- COMMENT:BEGIN -->\s*\n([\s\S]*?)<!-- COMMENT:END -->", content):
            chunk = match.group(1).strip()
            if not chunk:
                continue
            split = re.search(r"\n\s*\n", chunk)
            header, body = (chunk[: split.start()], chunk[split.start():].strip()) if split else ("", chunk)
            if body:
                comments.append(_comment_from(header.split("\n"), body, len(comments) + 1))
        return comments
    lines = content.split("\n")
    i = 0
    while i < len(lines):
        while i < len(lines) and lines[i].strip() == "":
            i += 1
        if i >= len(lines):
            break
        header = []
        while i < len(lines) and lines[i].strip() != "---":
            header.append(lines[i])
            i += 1
        if i >= len(lines):
            break
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "---":
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            break
        i += 1
        text = "\n".join(body).strip()
        if text:
            comments.append(_comment_from(header, text, len(comments) + 1))
    return comments


def _comment_from(header: list[str], body: str, index: int) -> Comment:
    author = None
    created = ""
    for line in header:
        match = re.match(r"^([a-zA-Z_]+):\s*(.*)$", line)
        if not match:
            continue
        name, value = match.group(1).lower(), match.group(2)
        if name == "author":
            author = re.sub(r"\s+", " ", value).strip() or None
        elif name == "created":
            created = value.strip()
    return Comment(index, body, author, created)


# -- rendering -------------------------------------------------------------------------


def render_text_section(key: str, content: str) -> str:
    """``## Title``, a blank line, the markers around ``content`` (trimmed)."""
    spec = BY_KEY[key]
    content = content.replace("\r\n", "\n").strip()
    for line in content.split("\n"):
        if line.rstrip() in (spec.begin, spec.end):
            raise ValueError(
                f"{spec.title} cannot contain the line {line.rstrip()!r}; indent it by a space to keep it as text"
            )
    inner = f"{content}\n" if content else ""
    return f"## {spec.title}\n\n{spec.begin}\n{inner}{spec.end}"


def render_checklist(key: str, items: list[Criterion], previous: Block | None = None) -> str | None:
    """The checklist section for ``items`` (renumbered 1..n), or None when it would be empty.

    Lines of the previous section that are not checklist items (notes between
    criteria) are kept where they were, as Backlog.md does.
    """
    spec = BY_KEY[key]
    pending = list(items)
    lines: list[str] = []
    number = 1
    if previous is not None:
        for line in _section_content(previous).split("\n"):
            if _ITEM_RE.match(line.strip()) and not line.startswith((" ", "\t")):
                if not pending:
                    continue
                item = pending.pop(0)
                lines.append(_item_line(item, number))
                number += 1
            else:
                lines.append(line)
    while lines and lines[0].strip() == "":
        lines.pop(0)
    while lines and lines[-1].strip() == "":
        lines.pop()
    for item in pending:
        if lines and lines[-1].strip() and not lines[-1].strip().startswith("- ["):
            lines.append("")
        lines.append(_item_line(item, number))
        number += 1
    if not "\n".join(lines).strip():
        return None
    return "\n".join([f"## {spec.title}", spec.begin, *lines, spec.end])


def _item_line(item: Criterion, number: int) -> str:
    text = item.text.strip()
    if "\n" in text or "\r" in text:
        raise ValueError(f"a checklist item must be one line: {text!r}")
    return f"- [{'x' if item.checked else ' '}] #{number} {text}"


def render_comments(comments: list[Comment]) -> str | None:
    entries = [c for c in comments if c.body.strip()]
    if not entries:
        return None
    parts = ["## Comments", "", "<!-- COMMENTS:BEGIN -->"]
    for n, comment in enumerate(entries):
        body = comment.body.replace("\r\n", "\n").strip()
        if re.search(r"^\s*---\s*$", body, re.M):
            raise ValueError("a comment cannot contain a line that is only '---'")
        if re.search(r"<!--\s*COMMENTS?:", body, re.I):
            raise ValueError("a comment cannot contain Backlog.md comment markers")
        if n:
            parts.append("")
        if comment.author:
            parts.append(f"author: {comment.author}")
        if comment.created:
            parts.append(f"created: {comment.created}")
        parts.extend(["---", body, "---"])
    parts.append("<!-- COMMENTS:END -->")
    return "\n".join(parts)
