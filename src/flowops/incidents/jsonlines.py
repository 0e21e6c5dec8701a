"""Where each value of a JSON text starts, for error messages that name a line.

``json`` gives values, not positions. This walks a text that ``json.loads`` has
already accepted and records the 1-based line at which each value starts, keyed by
its field path (``("alerts", 1, "startsAt")``): enough to point at the line of a
pretty-printed payload. Used only on the error path.
"""

from __future__ import annotations

import json
from typing import Any

_WHITESPACE = " \t\r\n"


def value_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Field path -> line of the value; empty when the text cannot be walked (it was not valid JSON)."""
    walker = _Walker(text)
    try:
        walker.value(())
    except (IndexError, ValueError, RecursionError):
        return {}
    return walker.lines


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[tuple[Any, ...], int] = {}

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            if text[pos] == "\n":
                self.line += 1
            pos += 1
        self.pos = pos

    def value(self, path: tuple[Any, ...]) -> None:
        self.skip()
        self.lines[path] = self.line
        char = self.text[self.pos]
        if char == "{":
            self.container(path, "}", keyed=True)
        elif char == "[":
            self.container(path, "]", keyed=False)
        elif char == '"':
            self.string()
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in _WHITESPACE + ",]}":
                self.pos += 1

    def container(self, path: tuple[Any, ...], close: str, *, keyed: bool) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip()
            if self.text[self.pos] == close:
                self.pos += 1
                return
            if keyed:
                key = self.string()
                self.skip()
                if self.text[self.pos] != ":":
                    raise ValueError("':' expected")
                self.pos += 1
                self.value((*path, key))
            else:
                self.value((*path, index))
                index += 1
            self.skip()
            if self.text[self.pos] == ",":
                self.pos += 1

    def string(self) -> str:
        start = self.pos
        pos = start + 1
        text = self.text
        while text[pos] != '"':
            pos += 2 if text[pos] == "\\" else 1
        self.pos = pos + 1
        return json.loads(text[start : self.pos])
