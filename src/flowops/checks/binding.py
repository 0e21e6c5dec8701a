"""The ``verify:`` binding of a criterion: a code span at the very end of its text.

``Every container sets CPU and memory requests and limits `verify: k8s.resources```

The binding lives in the criterion's own text so that Backlog.md shows it and keeps it
through its own edits (checking a criterion, adding others). The span may use any
number of backticks (```` ``verify: cmd grep -q "`x`" f`` ````), as CommonMark allows; what
follows ``verify:`` is the check as shell words, run without a shell: ``NAME [ARG...]``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

PREFIX = "verify:"
CHECK_NAME = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)*")
# The last code span of the text, anchored at its end: an opening run of backticks, the
# same run closing it, nothing but spaces after.
_TRAILING_SPAN = re.compile(r"(?P<open>`+)(?P<body>(?:(?!(?P=open)).)+?)(?<!`)(?P=open)\s*\Z", re.S)


class BindingError(ValueError):
    """A ``verify:`` span that cannot be read as ``NAME [ARG...]``; ``check`` is what it says after ``verify:``."""

    def __init__(self, message: str, check: str = "") -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class Binding:
    """A criterion's check: ``words`` as split by the shell rules (``words[0]`` is the check's name)."""

    text: str  # the criterion text without the binding
    check: str  # what follows ``verify:``, as written
    words: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.words[0]

    @property
    def args(self) -> list[str]:
        return list(self.words[1:])


def find_binding(text: str) -> Binding | None:
    """The binding at the end of a criterion's ``text``, or None for an unbound criterion.

    Raises BindingError for a span that starts with ``verify:`` but does not hold a
    readable check (no name, unbalanced quotes, a name that is not a check name).
    """
    match = _span(text)
    if match is None:
        return None
    check = match.group("body").strip()[len(PREFIX):].strip()
    try:
        words = parse_check(check)
    except BindingError as exc:
        raise BindingError(str(exc), check) from None
    return Binding(text[: match.start()].rstrip(), check, words)


def parse_check(check: str) -> tuple[str, ...]:
    """``"k8s.hpa --min 3 k8s/"`` -> ``("k8s.hpa", "--min", "3", "k8s/")``; BindingError when unreadable."""
    try:
        words = tuple(shlex.split(check))
    except ValueError as exc:
        raise BindingError(f"cannot read the check `{check}`: {exc}") from None
    if not words:
        raise BindingError("`verify:` names no check; write `verify: NAME [ARG...]`")
    if not CHECK_NAME.fullmatch(words[0]):
        raise BindingError(f"'{words[0]}' is not a check name (lower-case words joined by dots, e.g. k8s.resources)")
    return words


def strip_binding(text: str) -> str:
    """``text`` without its binding (unchanged when it has none, or when the binding is unreadable)."""
    match = _span(text)
    return text if match is None else text[: match.start()].rstrip()


def bind(text: str, words: list[str] | tuple[str, ...]) -> str:
    """``text`` bound to the check ``words`` (an existing binding is replaced).

    The check is written with shell quoting, so it reads back as the same words; the
    code span uses one backtick more than the longest run inside it.
    """
    parse_check(shlex.join(words))  # the same rules as reading it back
    check = f"{PREFIX} {shlex.join(words)}"
    longest = max((len(run) for run in re.findall(r"`+", check)), default=0)
    fence = "`" * (longest + 1)
    # A span whose content starts or ends with a backtick needs a space inside (CommonMark).
    body = f" {check} " if check.startswith("`") or check.endswith("`") else check
    return f"{strip_binding(text).rstrip()} {fence}{body}{fence}"


def _span(text: str) -> re.Match[str] | None:
    match = _TRAILING_SPAN.search(text)
    if match is None or not match.group("body").strip().startswith(PREFIX):
        return None
    # The opening run must not be part of a longer run (````` ``x` ````` is not a span of one).
    start = match.start("open")
    if start > 0 and text[start - 1] == "`":
        return None
    return match
