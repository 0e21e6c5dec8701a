"""Is a generated document filled in? Compare it with the skeleton flowops generated for it.

flowops writes documents people must complete (runbooks, and postmortems the same way):
a skeleton whose prompt lines carry a marker such as ``TODO(runbook)``. Looking for the
marker alone is not enough: deleting the ``TODO(runbook):`` prefixes leaves every prompt
in place and would pass. ``prompts_left`` instead takes the skeleton's prompt lines and
reports each one still present in the document, with or without its marker, as well as
any marker left anywhere.

Lines are compared after normalising away what an edit to the prompt would not change:
the marker, list bullets and numbering, emphasis, case, spacing and closing
punctuation. A document line that still contains a whole prompt (a prompt with a few
words added after it) counts as the prompt left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SPACES = re.compile(r"\s+")
_EMPHASIS = re.compile(r"[*_]{1,3}")
# Prompts shorter than this are matched only as a whole line: "the owner" inside a real
# sentence is not a left-over prompt.
_MIN_CONTAINED = 24


# An ATX heading (CommonMark: up to 3 spaces, 1 to 6 #, a space or tab, the text) and the
# opening of a fenced code block.
HEADING_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def outline(lines: Iterable[str]) -> Iterator[tuple[str, int | None, str]]:
    """Each line of a markdown document with its heading level and text (None and "" for other lines).

    Fence-aware: a ``#`` line inside a fenced code block is code, not a heading, so a
    runbook's or postmortem's shell snippet cannot end its section.
    """
    fence: str | None = None
    for line in lines:
        opening = _FENCE_RE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        else:
            heading = HEADING_RE.match(line)
            if heading:
                yield line, len(heading.group(1)), heading.group(2)
                continue
        yield line, None, ""


@dataclass(frozen=True)
class PromptLeft:
    """A skeleton prompt still in the document: its 1-based ``line`` there and the prompt's text.

    ``prompt`` is the skeleton's line without marker and bullet (``what users notice ...``).
    """

    line: int
    prompt: str
    marker: bool  # True when the marker itself is still on the line

    def to_dict(self) -> dict:
        return {"line": self.line, "prompt": self.prompt, "marker": self.marker}


def skeleton_prompts(skeleton: str, marker: str) -> list[str]:
    """The prompt lines of ``skeleton``: the lines carrying ``marker``, as written (stripped)."""
    return [line.strip() for line in skeleton.splitlines() if marker in line]


def prompts_left(document: str, skeleton: str, marker: str) -> list[PromptLeft]:
    """Every skeleton prompt (see the module docstring) still in ``document``, in document order.

    A line holding ``marker`` is reported even when its text differs from every prompt:
    the marker means "not written yet" wherever it is.
    """
    prompts: dict[str, str] = {}
    for written in skeleton_prompts(skeleton, marker):
        key = normalise(written, marker)
        if key:
            prompts.setdefault(key, display(written, marker))
    found: list[PromptLeft] = []
    for number, line in enumerate(document.splitlines(), start=1):
        has_marker = marker in line
        key = normalise(line, marker)
        prompt: str | None = prompts.get(key)
        if prompt is None and key:
            prompt = next((p for k, p in prompts.items() if len(k) >= _MIN_CONTAINED and k in key), None)
        if prompt is not None or has_marker:
            found.append(PromptLeft(number, prompt if prompt is not None else display(line, marker), has_marker))
    return found


def display(line: str, marker: str) -> str:
    """A prompt line for messages: without marker and bullet, case and inner spacing kept."""
    text = _BULLET.sub("", line.replace(marker, " ").strip())
    return _SPACES.sub(" ", text.lstrip(" :-–—")).strip()


def normalise(line: str, marker: str) -> str:
    """``line`` as compared with prompts: no marker, bullet, emphasis, case, extra spaces or closing punctuation."""
    text = line.replace(marker, " ")
    text = _BULLET.sub("", text.strip())
    text = _EMPHASIS.sub("", text)
    text = text.lstrip(" :-–—")
    text = _SPACES.sub(" ", text).strip().casefold()
    return text.rstrip(" .;:!")
