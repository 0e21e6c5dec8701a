"""Typed, located access to one YAML document, collecting problems instead of stopping at the first.

``flowops slo validate`` reports every problem of every spec at once, each with its file,
line and field, so the readers never raise on bad content: they ask a ``Fields`` for a
value and get None (plus a recorded problem) when it is missing or of the wrong type.
"""

from __future__ import annotations

import re
from typing import Any

from flowops.errors import Problem
from flowops.yamlfile import Locations

# Prometheus label names; names starting with __ are reserved for Prometheus itself.
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")

At = tuple[Any, ...]


def kind_of(value: Any) -> str:
    """A YAML-ish name for the type of ``value`` (mapping, list, string, number, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    names: dict[type, str] = {dict: "mapping", list: "list", str: "string"}
    return names.get(type(value), type(value).__name__)


class Fields:
    """Reads values out of one document of ``where.path``, recording problems in ``problems``."""

    def __init__(self, where: Locations, problems: list[Problem]) -> None:
        self.where = where
        self.problems = problems

    @property
    def path(self) -> str:
        return self.where.path

    def line(self, at: At) -> int | None:
        return self.where.line(*at)

    def error(self, message: str, at: At) -> None:
        self.problems.append(Problem(message, self.path, self.line(at), Locations.dotted(at) or None))

    def warn(self, message: str, at: At) -> None:
        self.problems.append(Problem(message, self.path, self.line(at), Locations.dotted(at) or None, "warning"))

    def known(self, mapping: dict, keys: tuple[str, ...], at: At) -> None:
        """Warn about keys that are not in ``keys`` (a typo there would silently change nothing)."""
        for key in mapping:
            if key not in keys:
                self.warn(f"unknown field '{key}' is ignored (known here: {', '.join(keys)})", (*at, key))

    def mapping(self, parent: dict, key: str, at: At, *, required: bool = False) -> dict | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.error(f"'{key}' is required", (*at, key) if key in parent else at)
            return None
        if not isinstance(value, dict):
            self.error(f"must be a mapping, not a {kind_of(value)}", (*at, key))
            return None
        return value

    def sequence(self, parent: dict, key: str, at: At, *, required: bool = False) -> list | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.error(f"'{key}' is required", (*at, key) if key in parent else at)
            return None
        if not isinstance(value, list):
            self.error(f"must be a list, not a {kind_of(value)}", (*at, key))
            return None
        return value

    def text(self, parent: dict, key: str, at: At, *, required: bool = False, single_line: bool = False) -> str | None:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(f"'{key}' is required and must not be empty", (*at, key) if key in parent else at)
            return None
        if not isinstance(value, str):
            self.error(f"must be text, not a {kind_of(value)}", (*at, key))
            return None
        if single_line and "\n" in value.strip():
            self.error("must be a single line", (*at, key))
            return None
        return value.strip() if single_line else value

    def number(self, parent: dict, key: str, at: At, *, required: bool = False) -> int | float | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.error(f"'{key}' is required", (*at, key) if key in parent else at)
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            hint = " (write it without quotes)" if isinstance(value, str) else ""
            self.error(f"must be a number, not a {kind_of(value)}{hint}", (*at, key))
            return None
        return value

    def flag(self, parent: dict, key: str, at: At) -> bool:
        value = parent.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(f"must be true or false, not a {kind_of(value)}", (*at, key))
            return False
        return value

    def labels(self, parent: dict, key: str, at: At, *, what: str = "label") -> dict[str, str]:
        """A mapping of Prometheus label (or annotation) names to text values, checked."""
        value = self.mapping(parent, key, at)
        if not value:
            return {}
        out: dict[str, str] = {}
        for name, raw in value.items():
            where = (*at, key, name)
            if not isinstance(name, str) or not LABEL_NAME.fullmatch(name) or name.startswith("__"):
                self.error(f"'{name}' is not a valid {what} name (letters, digits and _, not starting with a "
                           "digit or __)", where)
                continue
            text = scalar_text(raw)
            if text is None:
                self.error(f"{what} '{name}' must be a text value, not a {kind_of(raw)}", where)
                continue
            out[name] = text
        return out


def scalar_text(value: Any) -> str | None:
    """A scalar as Prometheus would get it from Sloth (Go's YAML keeps the text: 1 -> "1", true -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None
