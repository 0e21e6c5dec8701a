"""A fast reader for task files in Backlog.md's canonical layout.

Listing 10,000 tasks must take well under a second, which the general parser (any
legal YAML, legacy headings, code fences) cannot do in Python. Files written by
Backlog.md or flowops follow one layout; this reader handles exactly that layout with
a handful of C-speed string operations and returns None for anything else, which then
goes through the general parser. A property test checks both agree.
"""

from __future__ import annotations

import re

from flowops.backlog.fields import ALWAYS, DATE, DUE, KNOWN_KEYS, LIST_FIELDS, NUMBER, PRIORITY, SCALAR_FIELDS, TEXT_SECTIONS
from flowops.backlog.jsyaml import resolve_plain
from flowops.backlog.model import Task
from flowops.backlog.naming import display_id
from flowops.backlog.records import Record, from_record
from flowops.backlog.sections import BY_KEY, parse_comments
from flowops.backlog.taskfile import MAX_FILE_BYTES, task_from_values

# A line ``key: value`` or ``  - item``, the value or item without the blanks around it.
# Greedy to the last character that is not blank: a lazy ``(.*?)[ \t]*$`` tries the rest
# of the pattern after every character (findall over a frontmatter: 7.5 -> 4.3 us).
_FRONT_LINE_RE = re.compile(r"^(?:([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]+(.*[^ \t\n]))?|  - ((?:.*[^ \t\n])?))[ \t]*$", re.M)
# A ``## Title`` heading; _headings keeps those that start a line. Leading with the literal
# "##" lets the regex engine jump from one "##" to the next instead of trying every
# position of the body (~2x faster than the same pattern anchored with ``^``).
_HEADING_RE = re.compile(r"##[ \t]+(.+?)[ \t]*$", re.M)
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
    values = _front_values(text[4:end])
    if values is None:
        return None
    sections = _sections(text[end + 5 :])
    if sections is None:
        return None
    return values, sections


def _front_values(front: str) -> dict | None:
    """The frontmatter's values, when every line is ``key: scalar``, ``key: []``, ``key:`` or ``  - scalar``."""
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
    return values


def quick_record(raw: bytes) -> Record | None:
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
    # Values of other types (numbers, a single assignee, dates to normalise): Backlog.md's
    # conversions, as the general parser applies them.
    task = task_from_values(values)
    if not task.id:
        return None
    scalars = [getattr(task, field.attr) for field in SCALAR_FIELDS]
    scalars[_ID] = display_id(scalars[_ID])
    lists = tuple(tuple(getattr(task, field.attr)) for field in LIST_FIELDS)
    return _record(scalars, lists, sections, task.extra or None)


def quick_task(raw: bytes) -> Task | None:
    """The task in ``raw`` if it is in canonical layout, else None (use TaskFile)."""
    record = quick_record(raw)
    return from_record(record) if record is not None else None


# What the fast path needs to know of fields.FIELDS, worked out once.
_STRING_KEYS = frozenset(f.key for f in SCALAR_FIELDS if f.kind != NUMBER)
_NUMBER_KEYS = frozenset(f.key for f in SCALAR_FIELDS if f.kind == NUMBER)
_LIST_KEYS = frozenset(f.key for f in LIST_FIELDS)
_LIST_KEY_ORDER = tuple(f.key for f in LIST_FIELDS)
# (key, value when absent or empty) in record order: "" for keys Backlog.md always writes.
_SCALAR_DEFAULTS = tuple((f.key, "" if f.written == ALWAYS else None) for f in SCALAR_FIELDS)
# Dates must be canonical stamps here (a required one present: "" fails); anything else is normalised by the general rules.
_STAMPS = tuple(i for i, f in enumerate(SCALAR_FIELDS) if f.kind in (DATE, DUE))
_ID = next(i for i, f in enumerate(SCALAR_FIELDS) if f.key == "id")
_DUE = tuple(i for i, f in enumerate(SCALAR_FIELDS) if f.kind == DUE)
_PRIORITY = tuple(i for i, f in enumerate(SCALAR_FIELDS) if f.kind == PRIORITY)
_NUMBERS = tuple((i, f.key) for i, f in enumerate(SCALAR_FIELDS) if f.kind == NUMBER)
# A missing text section reads as the Task default ("" for the description, None for the others).
_SECTION_DEFAULTS = tuple((key, Task.__dataclass_fields__[key].default) for key in TEXT_SECTIONS)
_STAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")


def _fast_record(values: dict, sections: dict) -> Record | None:
    # Strings and lists of strings with canonical dates: the record is assembled directly
    # (what task_from_values would give; the property tests hold the two readers equal).
    extra = _simple_extra(values)
    if extra is _NO:
        return None
    get = values.get
    scalars: list = [get(key) or empty for key, empty in _SCALAR_DEFAULTS]
    if not scalars[_ID]:
        return None
    for i in _STAMPS:
        if scalars[i] is not None and not _STAMP_RE.fullmatch(scalars[i]):
            return None
    scalars[_ID] = display_id(scalars[_ID])
    for i in _DUE:
        if scalars[i]:
            scalars[i] = scalars[i][:10]
    for i in _PRIORITY:
        if scalars[i] is not None:
            scalars[i] = " ".join(scalars[i].split()).lower() or None
    for i, key in _NUMBERS:
        scalars[i] = get(key)  # 0 is a value
    lists = tuple([tuple(get(key) or ()) for key in _LIST_KEY_ORDER])  # a list comprehension beats a generator here
    return _record(scalars, lists, sections, extra)


def _simple_extra(values: dict):
    """_NO unless every known value has its simple type; else the unknown keys' values (or None)."""
    # Dispatch on the type first: nearly every value is a string of a string field. (A
    # loop, not any() over a generator: this runs for every file of a cold listing.)
    extra = None
    for key, value in values.items():
        cls = value.__class__
        if cls is str:
            if key in _STRING_KEYS:
                continue
        elif cls is list:
            if key in _LIST_KEYS:
                for item in value:
                    if item.__class__ is not str:
                        return _NO
                continue
        elif key in _NUMBER_KEYS:
            if value is None or cls is int or cls is float:
                continue
            return _NO
        if key in KNOWN_KEYS:
            return _NO  # a known field with a value of another type
        if extra is None:
            extra = {}
        extra[key] = value
    return extra


def _record(scalars: list, lists: tuple, sections: dict, extra: dict | None) -> Record:
    """The record of frontmatter ``scalars`` and ``lists`` (records.py order) with the body's ``sections``."""
    for key, absent in _SECTION_DEFAULTS:
        scalars.append(sections.get(key) or absent)
    comments = sections.get("comments")
    return (
        tuple(scalars),
        lists,
        _item_tuples(sections.get("acceptance_criteria")),
        _item_tuples(sections.get("definition_of_done")),
        tuple((c.body, c.author, c.created) for c in parse_comments(comments)) if comments else (),
        extra,
    )


def _item_tuples(content: str | None) -> tuple:
    if not content:
        return ()
    return tuple((text, mark == "x") for mark, text in _ITEM_RE.findall(content))


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
        at = match.start()
        if at and body[at - 1] != "\n":
            continue  # "##" inside a line: not a heading (it ends on that line, so it hides none)
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
