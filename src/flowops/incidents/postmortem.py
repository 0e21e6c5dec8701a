"""The postmortem document: its template, the check that it is written, its action items.

The template has six sections: Overview and impact, Timeline, Root cause and
contributing factors, What went well, Lessons learned, Action items. Each starts with
skeleton prompts, lines such as ``- TODO(postmortem): State the impact ...``.

A postmortem is written when every section is there (a heading counts for a section
when it starts with one of the section's names, at any level: "## Impact",
"### Root causes"), has text of its own, and no skeleton is left anywhere: no
``TODO(postmortem)`` marker, and no prompt of the generated skeleton, with or without
its marker, list bullet or checkbox (a line that still starts with a prompt's words
is a prompt left in place, even with an answer typed after it).

Action items are the top-level list items of the Action items section (bullets,
numbers or checkboxes; indented lines below one belong to it). ``@name`` in an item
names its owner and ``due YYYY-MM-DD`` its due date; a task id in the item (added by
``flowops incident actions``) names the task that tracks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flowops.skeleton import outline

MARKER = "TODO(postmortem)"
_MARKER_RE = re.compile(r"todo\(postmortem\)", re.I)


@dataclass(frozen=True)
class Section:
    title: str
    names: tuple[str, ...]  # normalised heading starts that count as this section
    prompts: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "Overview and impact",
        ("overview", "impact", "summary", "incident summary"),
        (
            "Say what happened in two or three sentences that someone outside the team would understand.",
            "State the impact: who was affected, for how long and how much (failed requests, users, orders, "
            "error budget spent).",
        ),
    ),
    Section(
        "Timeline",
        ("timeline",),
        ("Add what the responders saw, decided and did between the entries above, and when the cause was found.",),
    ),
    Section(
        "Root cause and contributing factors",
        ("root cause", "causes", "contributing factors"),
        (
            "Describe the root cause as a chain of causes in systems and processes, not a person to blame.",
            "List what made it worse, slower to detect or slower to repair.",
        ),
    ),
    Section("What went well", ("what went well", "went well"), ("Note what helped: the alert, the runbook, tools, people.",)),
    Section(
        "Lessons learned",
        ("lessons learned", "lessons", "learnings", "what we learned"),
        ("Write down what the team learned, including where it got lucky.",),
    ),
    Section(
        "Action items",
        ("action items", "actions", "action plan", "follow ups", "followups"),
        (
            "One list item per action that prevents a recurrence or speeds up detection or repair, with an owner "
            "(@name) and a due date (due YYYY-MM-DD).",
        ),
    ),
)
ACTION_SECTION = SECTIONS[-1]

_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_ITEM_RE = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[(?P<check>[ xX])\][ \t]+)?(?P<text>.*)$")
_BULLET_RE = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s*)?")
_OWNER_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9][\w.-]*)")
_DUE_RE = re.compile(r"\bdue[:\s]+(\d{4}-\d{2}-\d{2})\b", re.I)


@dataclass(frozen=True)
class Finding:
    """One reason the postmortem is not written yet. ``line`` is 1-based in the body."""

    message: str
    section: str | None = None
    line: int | None = None


@dataclass
class ActionItem:
    """One action item of the postmortem."""

    line: int  # 1-based in the body
    text: str
    detail: str = ""
    checked: bool = False
    task_ids: list[str] = field(default_factory=list)
    owner: str | None = None
    due: str | None = None

    def title(self, limit: int = 120) -> str:
        """The item as a task title: its text without the ids flowops added, cut at ``limit``."""
        text = " ".join(_strip_ids(self.text).split())
        if len(text) <= limit:
            return text
        cut = text[: limit - 1].rsplit(" ", 1)[0]
        return cut + "…"


@dataclass
class _Part:
    section: Section | None
    heading_line: int | None
    level: int
    lines: list[tuple[int, str]] = field(default_factory=list)


def _normal(text: str) -> str:
    text = _BULLET_RE.sub("", text)
    text = _MARKER_RE.sub("", text)
    text = re.sub(r"^\s*todo\b[:\s]*", "", text, flags=re.I)
    text = " ".join(text.lower().replace("&", "and").split())
    return text.strip(" :;.-")


def _heading_key(text: str) -> str:
    text = text.lower().replace("&", " and ")
    text = re.sub(r"^[\d.)\s]+", "", text)
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def _section_for(heading: str) -> Section | None:
    key = _heading_key(heading)
    for section in SECTIONS:
        # "Root causes", "Action item": a plural or singular of a name counts too.
        forms = [(name, name + "s", name.removesuffix("s")) for name in section.names]
        if any(key in names or key.startswith((names[0] + " ", names[1] + " ")) for names in forms):
            return section
    return None


_PROMPTS = [(_normal(prompt), section) for section in SECTIONS for prompt in section.prompts]


def _split(body: str) -> list[_Part]:
    """The body cut into parts at headings (fence-aware); part 0 is what precedes the first section."""
    parts = [_Part(None, None, 0)]
    for number, (line, level, title) in enumerate(outline(body.split("\n")), 1):
        if level is not None:
            section = _section_for(title)
            current = parts[-1]
            if section is not None:
                parts.append(_Part(section, number, level))
                continue
            if current.section is not None and level <= current.level:
                parts.append(_Part(None, number, level))
                continue
        parts[-1].lines.append((number, line))
    return parts


def is_prompt(line: str) -> bool:
    """True when ``line`` is skeleton: it holds the marker or starts with a prompt's words."""
    if _MARKER_RE.search(line):
        return True
    text = _normal(line)
    return bool(text) and any(text.startswith(prompt) for prompt, _section in _PROMPTS)


def check_postmortem(body: str) -> list[Finding]:
    """Every reason the postmortem ``body`` is not written yet (empty when it is); see the module docstring."""
    parts = _split(body)
    findings: list[Finding] = []
    seen: dict[str, _Part] = {}
    for part in parts:
        if part.section is not None:
            seen.setdefault(part.section.title, part)
    with_skeleton: set[str] = set()
    for part in parts:
        title = part.section.title if part.section else None
        for number, line in part.lines:
            if is_prompt(line):
                shown = " ".join(_BULLET_RE.sub("", line).split())
                where = f" in '{title}'" if title else ""
                findings.append(Finding(f"skeleton left{where}: '{_cut(shown)}'", title, number))
                with_skeleton.add(title or "")
    for section in SECTIONS:
        found = seen.get(section.title)
        if found is None:
            findings.append(Finding(f"the section '{section.title}' is missing", section.title))
            continue
        if section.title in with_skeleton:
            continue  # its skeleton lines are reported already
        own = _COMMENT_RE.sub("", "\n".join(text for _n, text in _section_lines(parts, found) if not is_prompt(text)))
        if not own.strip():
            findings.append(Finding(f"the section '{section.title}' has no text of its own", section.title, found.heading_line))
    findings.sort(key=lambda f: (f.line or 0))
    return findings


def _section_lines(parts: list[_Part], part: _Part) -> list[tuple[int, str]]:
    """The lines of ``part`` and of the sections repeating its heading further down."""
    lines: list[tuple[int, str]] = []
    for other in parts:
        if other.section is part.section:
            lines.extend(other.lines)
    return lines


def action_items(body: str, task_id_pattern: re.Pattern[str]) -> list[ActionItem]:
    """The action items listed in the body's Action items section (skeleton prompts left out)."""
    parts = [part for part in _split(body) if part.section is ACTION_SECTION]
    items: list[ActionItem] = []
    in_comment = False
    for part in parts:
        current: ActionItem | None = None
        for number, line in part.lines:
            if in_comment or line.lstrip().startswith("<!--"):
                in_comment = "-->" not in line
                current = None
                continue
            match = _ITEM_RE.match(line)
            if match:
                current = None
                if is_prompt(line) or not match.group("text").strip():
                    continue
                text = match.group("text").strip()
                current = ActionItem(number, text, checked=(match.group("check") or " ").lower() == "x")
                items.append(current)
            elif current is not None and line.strip() and line[:1] in (" ", "\t"):
                current.detail = (current.detail + "\n" + line.strip()).strip()
            elif not line.strip():
                continue
            else:
                current = None
    for item in items:
        whole = item.text + "\n" + item.detail
        item.task_ids = list(dict.fromkeys(m.group(0).upper() for m in task_id_pattern.finditer(whole)))
        owner = _OWNER_RE.search(whole)
        item.owner = "@" + owner.group(1) if owner else None
        due = _DUE_RE.search(whole)
        item.due = due.group(1) if due else None
    return items


def annotate(body: str, item: ActionItem, task_id: str) -> str:
    """``body`` with `` (TASK-7.2)`` added at the end of ``item``'s line."""
    lines = body.split("\n")
    index = item.line - 1
    if 0 <= index < len(lines) and task_id.lower() not in lines[index].lower():
        lines[index] = f"{lines[index].rstrip()} ({task_id})"
    return "\n".join(lines)


def task_id_pattern(prefix: str) -> re.Pattern[str]:
    """Task ids of the backlog's prefix (``TASK-7``, ``task-7.2``) as words."""
    return re.compile(rf"(?<![\w-]){re.escape(prefix)}-\d+(?:\.\d+)*(?![\w.-]*\w)", re.I)


def _strip_ids(text: str) -> str:
    return re.sub(r"\s*\((?:[A-Za-z]+-\d+(?:\.\d+)*(?:,\s*)?)+\)\s*$", "", text)


def _cut(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_postmortem(facts: list[tuple[str, str]], timeline: list[str], incident_id: str) -> str:
    """The body of a new postmortem document: a facts table, then the skeleton of every section.

    ``facts`` are (label, value) rows; ``timeline`` the incident's entries as list-item lines.
    """
    rows = "\n".join(f"| {label} | {_cell(value)} |" for label, value in facts if value)
    out: list[str] = [
        f"# Postmortem: {facts[0][1] if facts else incident_id}",
        "",
        "A blameless review: it looks for causes in systems and processes, not in people. Each line",
        "that starts with a TODO marker is skeleton; replace it with what you know. The incident cannot",
        "be marked Done while skeleton remains, nor before each action item is a task",
        f"(`flowops incident actions {incident_id}`).",
        "",
        "| Fact | Value |",
        "|---|---|",
        rows,
    ]
    for section in SECTIONS:
        out += ["", f"## {section.title}", ""]
        if section is SECTIONS[1] and timeline:
            out += ["The incident's timeline when it was resolved (UTC):", "", *timeline, ""]
        if section is ACTION_SECTION:
            out += [
                f"<!-- Each list item below becomes a task parented to {incident_id} when you run "
                f"`flowops incident actions {incident_id}`; the task id is then added to the item. -->",
                "",
            ]
        out += [f"- {MARKER}: {prompt}" for prompt in section.prompts]
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")
