"""The slash commands as MCP prompts (``flow-operate``, ``flow-status``): the same sources, the same text.

A prompt is named as Claude Code names the project command (``flow/operate.md`` is
``flow-operate``). Its arguments follow the source's ``argument-hint``: ``task_id`` (the
first word, ``TASK-ID``) and, when the hint names more, ``options`` for the rest
(``--alerts FILE`` ...). The rendered text is the command's body with ``{{ARGUMENTS}}``
replaced by what was given, as an agent substitutes ``$ARGUMENTS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flowops.render.sources import ARGUMENTS, CommandSource, discover_sources

NO_ARGUMENTS = "(none given)"


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class AgentPrompt:
    """One slash command offered as an MCP prompt."""

    name: str
    description: str
    arguments: tuple[PromptArgument, ...]
    source: CommandSource

    def render(self, values: Mapping[str, str]) -> str:
        """The command's text with the given arguments (``task_id`` first) where ``{{ARGUMENTS}}`` stands."""
        given = [str(values[a.name]).strip() for a in self.arguments if values.get(a.name) and str(values[a.name]).strip()]
        text = self.source.body.replace(ARGUMENTS, " ".join(given) or NO_ARGUMENTS).lstrip("\n")
        return text if text.endswith("\n") else text + "\n"


def agent_prompts(root: Path | None = None) -> list[AgentPrompt]:
    """Every command source (default: the shipped ones) as a prompt, sorted by name."""
    return [_prompt(source) for source in discover_sources(root)]


def _prompt(source: CommandSource) -> AgentPrompt:
    hint = (source.argument_hint or "").split()
    arguments = [PromptArgument("task_id", "The feature's task id, e.g. TASK-12 (asked for when left out).")]
    if len(hint) > 1:
        arguments.append(PromptArgument("options", "Further arguments, as on the command line: " + " ".join(hint[1:])))
    return AgentPrompt("-".join(source.parts), source.description, tuple(arguments), source)
