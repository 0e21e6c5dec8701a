"""A fast reader for task files in Backlog.md's canonical layout.

Listing 10,000 tasks must take well under a second, which the general parser (any
legal YAML, legacy headings, code fences) cannot do in Python. Files written by
Backlog.md or flowops follow one layout; this reader handles exactly that layout with
a handful of C-speed string operations and returns None for anything else, which then
goes through the general parser. A property test checks both agree.
"""

from __future__ import annotations

import re

from flowops.backlog.jsyaml import resolve_plain
from flowops.backlog.model import Task
from flowops.backlog.naming import display_id
from flowops.backlog.sections import BY_KEY, Criterion, parse_comments
from flowops.backlog.records import from_record, to_record
from flowops.backlog.taskfile import MAX_FILE_BYTES, task_from_values

_FRONT_LINE_RE = re.compile(r"^(?:([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]+(.*?))?|  - (.*?))[ \t]*$", re.M)
_HEADING_RE = re.compile(r"^##[ \t]+(.+?)[ \t]*$", re.M)
_ITEM_RE = re.compile(r"^- \[([ x])\] (?:#\d+ )?(.+)$", re.M)
_NO = object()
_SPECIAL_FIRST = frozenset("\"|>[]{}&*!%@`#?-,:'")
_MEANINGFUL_WORDS = frozenset(["null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "~"])
_KNOWN_TITLES = {}
for _spec in BY_KEY.values():
    for _title in (_spec.title, *_spec.aliases):
        _KNOWN_TITLES[_title.lower()] = _spec


def _scalar(text: str):
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            return _NO
        return inner.replace("''", "'")
    if first in _SPECIAL_FIRST or " #" in text or ": " in text or text[-1] == ":":
        return _NO
    if first.isalpha() and text not in _MEANINGFUL_WORDS:
        return text
    if text.isdigit() and (first != "0" or text == "0") and text.isascii():
        return int(text)  # ordinals: the common number, without the full int grammar
    value = resolve_plain(text)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    return _NO


def _parse(raw: bytes) -> tuple[dict, dict] | None:
    """(frontmatter values, section contents) of a canonical file, or None."""
    if len(raw) > MAX_FILE_BYTES or not raw.startswith(b"---\n") or b"\r" in raw or b"\x00" in raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    end = text.find("\n---\n", 3)
    if end == -1:
        return None
    front = text[4:end]
    body = text[end + 5 :]

    values: dict = {}
    current: list | None = None
    bare: list[str] = []
    matched = 0
    for key, rest, item in _FRONT_LINE_RE.findall(front):
        matched += 1
        if key:
            if key in values:
                return None
            if rest == "":
                current = values[key] = []
                bare.append(key)
            elif rest == "[]":
                values[key] = []
                current = None
            else:
                value = _scalar(rest)
                if value is _NO:
                    return None
                values[key] = value
                current = None
        else:
            if current is None or not item:
                return None
            value = _scalar(item)
            if value is _NO:
                return None
            current.append(value)
            if bare and bare[-1] in values and values[bare[-1]] is current:
                bare.pop()
    if matched != front.count("\n") + 1:
        return None  # a line this reader does not understand (block scalar, comment, nesting)
    for key in bare:
        values[key] = None  # "key:" with nothing under it is null
    sections = _sections(body)
    if sections is None:
        return None
    return values, sections


def quick_record(raw: bytes) -> tuple | None:
    """The task record (records.py) of a canonical file, or None (use TaskFile).

    Listing builds records straight from the text, without a Task in between.
    """
    parsed = _parse(raw)
    if parsed is None:
        return None
    values, sections = parsed
    record = _fast_record(values, sections)
    if record is not None:
        return record
    task = _task(values)
    if task is None:
        return None
    _fill_sections(task, sections)
    return to_record(task)


def quick_task(raw: bytes) -> Task | None:
    """The task in ``raw`` if it is in canonical layout, else None (use TaskFile)."""
    record = quick_record(raw)
    return from_record(record) if record is not None else None


def _fill_sections(task: Task, sections: dict) -> None:
    task.description = sections.get("description", "")
    task.implementation_plan = sections.get("implementation_plan") or None
    task.implementation_notes = sections.get("implementation_notes") or None
    task.final_summary = sections.get("final_summary") or None
    task.acceptance_criteria = _items(sections.get("acceptance_criteria"))
    task.definition_of_done = _items(sections.get("definition_of_done"))
    comments = sections.get("comments")
    task.comments = parse_comments(comments) if comments else []


def _fast_record(values: dict, sections: dict) -> tuple | None:
    # Strings and lists of strings with canonical dates: the record is assembled directly
    # (the same values _task and to_record would give; a property test holds them equal).
    for key, value in values.items():
        cls = value.__class__
        if key == "ordinal":
            if value is not None and cls is not int and cls is not float:
                return None
        elif cls is list:
            if key not in _LIST_KEYS or any(item.__class__ is not str for item in value):
                return None
        elif cls is not str or key in _LIST_KEYS or key not in _KNOWN_KEYS:
            return None
    get = values.get
    created = get("created_date", "")
    updated = get("updated_date")
    due = get("due_date")
    if not _STAMP_RE.fullmatch(created) or (updated is not None and not _STAMP_RE.fullmatch(updated)) or (
        due is not None and not _STAMP_RE.fullmatch(due)
    ):
        return None
    task_id = get("id", "")
    if not task_id:
        return None
    task_id = display_id(task_id)
    priority = get("priority")
    if priority is not None:
        priority = " ".join(priority.split()).lower() or None
    comments = sections.get("comments")
    return (
        (
            task_id, get("title", ""), get("status", ""), get("reporter") or None, created, updated or None,
            due[:10] if due else None, get("milestone") or None, get("parent_task_id") or None, priority,
            get("type") or None, get("project") or None, get("ordinal"), get("onStatusChange") or None,
            sections.get("description", ""), sections.get("implementation_plan") or None,
            sections.get("implementation_notes") or None, sections.get("final_summary") or None,
        ),
        (
            tuple(get("assignee") or ()), tuple(get("labels") or ()), tuple(get("dependencies") or ()),
            tuple(get("references") or ()), tuple(get("documentation") or ()), tuple(get("modified_files") or ()),
            tuple(get("subtasks") or ()),
        ),
        _item_tuples(sections.get("acceptance_criteria")),
        _item_tuples(sections.get("definition_of_done")),
        tuple((c.body, c.author, c.created) for c in parse_comments(comments)) if comments else (),
        None,
    )


def _item_tuples(content: str | None) -> tuple:
    if not content:
        return ()
    return tuple((text, mark == "x") for mark, text in _ITEM_RE.findall(content))


_STAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")
_LIST_KEYS = ("assignee", "labels", "dependencies", "references", "documentation", "modified_files", "subtasks")
_KNOWN_KEYS = frozenset(
    ["id", "title", "status", "assignee", "reporter", "created_date", "updated_date", "due_date", "labels",
     "milestone", "dependencies", "references", "documentation", "modified_files", "parent_task_id",
     "subtasks", "priority", "type", "project", "ordinal", "onStatusChange"]
)


def _task(values: dict) -> Task | None:
    # The common case (strings and lists of strings, canonical dates) is built directly;
    # anything else takes the general conversion, which applies Backlog.md's rules.
    get = values.get
    simple = True
    for key, value in values.items():
        if key == "ordinal":
            continue
        if value.__class__ is list:
            if key not in _LIST_KEYS or any(item.__class__ is not str for item in value):
                simple = False
                break
        elif value.__class__ is not str or key in _LIST_KEYS:
            simple = False
            break
    created = get("created_date", "")
    updated = get("updated_date")
    due = get("due_date")
    if (
        not simple
        or not _STAMP_RE.fullmatch(created)
        or (updated is not None and not _STAMP_RE.fullmatch(updated))
        or (due is not None and not _STAMP_RE.fullmatch(due))
    ):
        task = task_from_values(values)
    else:
        priority = get("priority")
        ordinal = get("ordinal")
        task = Task(
            id=get("id", ""),
            title=get("title", ""),
            status=get("status", ""),
            assignees=list(get("assignee") or ()),
            reporter=get("reporter") or None,
            created_date=created,
            updated_date=updated or None,
            due_date=due[:10] if due else None,
            labels=list(get("labels") or ()),
            milestone=get("milestone") or None,
            dependencies=list(get("dependencies") or ()),
            references=list(get("references") or ()),
            documentation=list(get("documentation") or ()),
            modified_files=list(get("modified_files") or ()),
            parent_task_id=get("parent_task_id") or None,
            subtasks=list(get("subtasks") or ()),
            priority=" ".join(priority.split()).lower() or None if priority is not None else None,
            type=get("type") or None,
            project=get("project") or None,
            ordinal=ordinal if ordinal.__class__ in (int, float) else (None if ordinal is None else _NO),
            on_status_change=get("onStatusChange") or None,
        )
        if task.ordinal is _NO:
            task = task_from_values(values)
        elif len(values) > sum(1 for key in values if key in _KNOWN_KEYS):
            task.extra = {key: value for key, value in values.items() if key not in _KNOWN_KEYS}
    if not task.id:
        return None
    task.id = display_id(task.id)
    return task


def _items(content: str | None) -> list[Criterion]:
    if not content:
        return []
    return [Criterion(i, m.group(2), m.group(1) == "x") for i, m in enumerate(_ITEM_RE.finditer(content), 1)]


_SPEC_MARKERS = {
    title: (spec, re.compile(r"\n*" + re.escape(spec.begin) + r"\n"), spec.begin, "\n" + spec.end, spec.end)
    for title, spec in ((spec.title, spec) for spec in BY_KEY.values())
}


def _sections(body: str) -> dict[str, str] | None:
    if "```" in body or "~~~" in body:
        return None
    found: dict[str, str] = {}
    markers_expected = 0
    for match in _HEADING_RE.finditer(body):
        title = match.group(1)
        markers = _SPEC_MARKERS.get(title)
        if markers is None:
            if title.lower() in _KNOWN_TITLES:
                return None  # a legacy or differently-cased known heading
            continue
        spec, begin_re, begin, close_mark, end = markers
        if spec.key in found:
            return None  # a repeated section: the general parser decides
        begin_match = begin_re.match(body, match.end())
        if begin_match is None:
            return None
        start = begin_match.end()
        if body.startswith(end, start):
            content = ""
        else:
            close = body.find(close_mark, start - 1)
            if close == -1:
                return None
            content = body[start:close]
            if begin in content:
                return None  # nested markers
        found[spec.key] = content.strip() if spec.kind == "text" else content
        markers_expected += 2
    if body.count("<!-- ") != markers_expected + body.count("<!-- COMMENT:"):
        return None  # stray or unbalanced markers, or HTML comments: let the general parser judge
    return found


__all__ = ["quick_record", "quick_task"]
