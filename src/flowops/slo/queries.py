"""SLI queries: the ``{{.window}}`` placeholder, and the mistakes that can be found without Prometheus.

Sloth's queries are Go templates with one variable, ``.window``; every recording rule
fills it with its own window (``5m``, ``1h``, ... ``30d``). A query without it would
measure the same range in every window, so every alert would see the same number:
that is an error, not a style point. Full PromQL parsing is left to
``promtool check rules`` on the generated file; here only what can be pinned to a line
of the spec is checked: the placeholder, other template actions, unbalanced brackets.
"""

from __future__ import annotations

import re

_WINDOW = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")
_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_PAIRS = {")": "(", "]": "[", "}": "{"}


def render(query: str, window: str) -> str:
    """``query`` with every ``{{.window}}`` replaced by ``window`` (e.g. ``5m``)."""
    return _WINDOW.sub(window, query)


def query_problems(query: str) -> list[str]:
    """What is wrong with one SLI query (empty when nothing is)."""
    problems = []
    if not _WINDOW.search(query):
        problems.append("the query has no {{.window}}: every window would measure the same range")
    others = [action for action in _ACTION.findall(query) if not _WINDOW.fullmatch(action)]
    if others:
        problems.append(f"unknown template action {others[0]}: only {{{{.window}}}} is filled in")
    bracket = _bracket_problem(_WINDOW.sub("1m", query))
    if bracket:
        problems.append(bracket)
    return problems


def _bracket_problem(query: str) -> str | None:
    stack: list[str] = []
    for char in _outside_strings(query):
        if char in "([{":
            stack.append(char)
        elif char in _PAIRS:
            if not stack or stack[-1] != _PAIRS[char]:
                return f"unbalanced '{char}' in the query"
            stack.pop()
        elif char in "\"'`":
            return f"unterminated string (opened with {char}) in the query"
    if stack:
        return f"unclosed '{stack[-1]}' in the query"
    return None


def _outside_strings(query: str):
    """The characters of ``query`` outside string literals ("...", '...', `...`); an unterminated
    string yields its opening quote, so the caller can report it."""
    index, length = 0, len(query)
    while index < length:
        char = query[index]
        if char not in "\"'`":
            yield char
            index += 1
            continue
        end = index + 1
        while end < length and query[end] != char:
            end += 2 if query[end] == "\\" and char != "`" else 1
        if end >= length:
            yield char
            return
        index = end + 1
