"""Errors are values with a message a user can act on.

Every error carries the exit code of the contract in docs/architecture.md (section "Exit
codes"), and where it is known, the file, line and field it is about and a hint saying
what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CRITERIA = 3
EXIT_BLOCKED = 4


@dataclass
class Problem:
    """One located problem in a user's file (schema violation, parse error, ...)."""

    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None
    severity: str = "error"  # or "warning"

    def location(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path if self.line is None else f"{self.path}:{self.line}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "field": self.field,
        }


class Location(TypedDict, total=False):
    """Where an error is, as the keyword arguments of FlowopsError (``raise ConfigError(message, **where)``)."""

    path: str | None
    line: int | None
    field: str | None


class FlowopsError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code = EXIT_FAILURE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = path
        self.line = line
        self.field = field
        self.problems = problems or []

    def __str__(self) -> str:
        where = Problem("", self.path, self.line, self.field).location()
        text = f"{where}: {self.message}" if where else self.message
        for problem in self.problems:
            text += f"\n  - {problem}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text

    def to_dict(self) -> dict:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "exit_code": self.exit_code,
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "hint": self.hint,
            "problems": [p.to_dict() for p in self.problems],
        }


class UsageError(FlowopsError):
    """Bad flag, bad argument value, invalid configuration (exit 2)."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A configuration or data file is unreadable or violates its schema (exit 2)."""


class NotFoundError(FlowopsError):
    """A task, document or handler that was asked for does not exist (exit 1)."""

    exit_code = EXIT_FAILURE


class StoreError(FlowopsError):
    """A backlog file could not be read or written safely (exit 1)."""

    exit_code = EXIT_FAILURE


class CriteriaNotMet(FlowopsError):
    """Acceptance criteria or a completion gate are not satisfied (exit 3)."""

    exit_code = EXIT_CRITERIA


class BlockedError(FlowopsError):
    """The workflow state guard (or a plugin veto) refused the change (exit 4)."""

    exit_code = EXIT_BLOCKED


class Reported(FlowopsError):
    """An outcome the command has already told in full; only its exit code is left to give.

    ``ac check`` prints its report and exits 3, ``hooks validate`` lists the problems and
    exits 2, a command whose required event handler failed after its write exits 1: each
    raises ``Reported(code)`` once its output is complete. A command ends with a non-zero
    code in one way only, by raising a FlowopsError: one with a message when it has
    something to say, this one when it has said it; the CLI prints nothing more for it.
    """

    def __init__(self, exit_code: int) -> None:
        super().__init__("")
        self.exit_code = exit_code

