"""What a task field may hold, checked at the door before anything is written.

Frontmatter fields that are one line in every tool that reads them (title, labels,
assignees, ids, references, ...) refuse line breaks: a break there is a pasted mistake,
and Backlog.md shows these fields on one line. Every text refuses what cannot be written
as UTF-8 at all (undecodable bytes from the command line arrive as lone surrogates) and
NUL, which would make the file read back as binary. Refusals are UsageErrors (exit 2)
that name the field, so nothing is written and the user knows what to change.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowops.errors import UsageError

# Every character Python's str.splitlines() breaks on; YAML and terminals treat most as breaks too.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be written to a backlog file, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"contains bytes that are not valid UTF-8 (at character {exc.start + 1})"
    return None


def line_problem(value: str) -> str | None:
    """Why ``value`` cannot be a one-line field, or None."""
    problem = text_problem(value)
    if problem:
        return problem
    if any(ch in LINE_BREAKS for ch in value):
        return "contains a line break"
    return None


def check_line(field: str, value: str | None) -> None:
    """UsageError naming ``field`` when ``value`` is not one line of writable text."""
    if value is None:
        return
    problem = line_problem(value)
    if problem:
        raise UsageError(f"{field} {value!r} {problem}", field=field, hint="give it on one line; nothing was changed")


def check_lines(field: str, values: Iterable[str] | None) -> None:
    for value in values or ():
        check_line(field, value)


def check_text(field: str, value: str | None) -> None:
    """UsageError naming ``field`` when ``value`` (multi-line text is fine) cannot be written."""
    if value is None:
        return
    problem = text_problem(value)
    if problem:
        raise UsageError(f"{field} {problem}", field=field, hint="fix the text; nothing was changed")
