"""Reading a check's arguments: ``--option VALUE`` pairs, then paths inside the repository."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from flowops.checks.model import CheckUsageError

T = TypeVar("T")


@dataclass
class Arguments:
    """Parsed arguments: ``options`` by name (without dashes) and the remaining ``positional`` words."""

    options: dict[str, object] = field(default_factory=dict)
    positional: list[str] = field(default_factory=list)


def parse_arguments(check: str, args: Sequence[str], options: dict[str, Callable[[str], object]] | None = None, *,
                    stop_at_first_positional: bool = False) -> Arguments:
    """Split ``args`` into known ``--name VALUE`` options (converted by ``options[name]``) and the rest.

    ``--`` ends the options. With ``stop_at_first_positional`` everything from the first
    other word on is positional (``cmd --timeout 5 make -k test``: ``-k`` is make's).
    """
    known = options or {}
    parsed = Arguments()
    index = 0
    words = list(args)
    while index < len(words):
        word = words[index]
        if word == "--":
            parsed.positional += words[index + 1:]
            break
        if word.startswith("--") and len(word) > 2:
            name, has_value, value = word[2:].partition("=")
            if name not in known:
                allowed = ", ".join(f"--{n}" for n in known) or "none"
                raise CheckUsageError(f"{check}: unknown option --{name} (options: {allowed})")
            if not has_value:
                index += 1
                if index >= len(words):
                    raise CheckUsageError(f"{check}: --{name} needs a value")
                value = words[index]
            try:
                parsed.options[name] = known[name](value)
            except (TypeError, ValueError):
                raise CheckUsageError(f"{check}: --{name} {value!r} is not a valid value") from None
            index += 1
            continue
        if stop_at_first_positional:
            parsed.positional += words[index:]
            break
        parsed.positional.append(word)
        index += 1
    return parsed


def positive_number(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


def whole_number(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def repository_paths(check: str, words: Iterable[str]) -> list[str]:
    """``words`` as normalised repository-relative paths; CheckUsageError for one outside the repository."""
    paths = []
    for word in words:
        if word.startswith("/") or word.startswith("~"):
            raise CheckUsageError(f"{check}: {word!r} is not a path inside the repository (write it relative to the root)")
        normal = posixpath.normpath(word.replace("\\", "/"))
        if normal == ".." or normal.startswith("../"):
            raise CheckUsageError(f"{check}: {word!r} points outside the repository")
        paths.append("." if normal in (".", "") else normal)
    return paths


def under(path: str, paths: Sequence[str]) -> bool:
    """True when ``path`` is one of ``paths`` or inside one of them (every path is inside ``.``)."""
    return any(p == "." or path == p or path.startswith(p.rstrip("/") + "/") for p in paths)


def restrict(items: Iterable[T], paths: Sequence[str], path_of: Callable[[T], str]) -> list[T]:
    """The ``items`` whose file is under one of ``paths`` (all of them when no path is given)."""
    if not paths:
        return list(items)
    return [item for item in items if under(path_of(item), paths)]
