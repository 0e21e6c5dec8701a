"""Slash-command sources: the markdown files of the commands folder, read and checked.

A source is ``<namespace>/<name>.md`` (``flow/operate.md`` is ``/flow:operate``) with a
YAML frontmatter that every agent format is derived from::

    ---
    description: One line shown in the agent's command picker
    argument-hint: TASK-ID [--alerts FILE]
    ---
    Body text, with {{INCLUDE:partials/_name.md}} and {{ARGUMENTS}} where the
    user's arguments go.

Partials live in ``partials/`` (or have a name starting with ``_``) and are not commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flowops.errors import ConfigError, FlowopsError
from flowops.render.includes import included_files, resolve_includes

ARGUMENTS = "{{ARGUMENTS}}"
PARTIALS_DIR = "partials"
_FRONTMATTER_KEYS = {"description": "a one-line string", "argument-hint": "a string"}


@dataclass(frozen=True)
class CommandSource:
    """One slash command, with its includes resolved and ``{{ARGUMENTS}}`` still in place."""

    name: str  # "flow/operate"
    file: str  # "flow/operate.md", relative to the commands folder
    description: str
    argument_hint: str | None
    body: str
    includes: tuple[str, ...]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("/"))

    @property
    def slash(self) -> str:
        """How a user types it in Claude Code or Gemini CLI: ``/flow:operate``."""
        return "/" + ":".join(self.parts)


def commands_root() -> Path:
    """The shipped commands folder."""
    from flowops.resources import data_dir

    try:
        return data_dir("commands")
    except FileNotFoundError as exc:
        raise FlowopsError(str(exc), hint="reinstall flowops") from None


def is_partial(rel: str) -> bool:
    parts = rel.split("/")
    return parts[0] == PARTIALS_DIR or parts[-1].startswith("_")


def discover_sources(root: Path | None = None) -> list[CommandSource]:
    """Every command under ``root`` (default: the shipped commands), sorted by name."""
    root = root or commands_root()
    sources = []
    for file in sorted(root.rglob("*.md")):
        rel = file.relative_to(root).as_posix()
        if not is_partial(rel):
            sources.append(load_source(root, rel))
    return sources


def load_source(root: Path, rel: str) -> CommandSource:
    """Read ``rel`` under ``root``: check its frontmatter, resolve its includes."""
    shown = f"commands/{rel}"
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=shown) from None
    meta, body, body_line = split_frontmatter(text, shown)
    resolved = resolve_includes(
        body,
        rel,
        root,
        first_line=body_line,
        allowed_directives=frozenset({"ARGUMENTS"}),
    )
    return CommandSource(
        name=rel.removesuffix(".md"),
        file=rel,
        description=meta["description"],
        argument_hint=meta.get("argument-hint"),
        body=resolved,
        includes=tuple(included_files(body)),
    )


def split_frontmatter(text: str, shown: str) -> tuple[dict, str, int]:
    """Return (checked frontmatter, body, line number where the body starts)."""
    from flowops.yamlfile import load_yaml

    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        raise ConfigError(
            "missing frontmatter",
            path=shown,
            line=1,
            hint="start the file with a '---' block holding at least 'description: ...'",
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n") == "---":
            end = index
            break
    else:
        raise ConfigError("frontmatter is not closed by a '---' line", path=shown, line=1)
    data, locations = load_yaml("".join(lines[1:end]), shown)
    data = data if data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError("frontmatter must be a mapping of keys to values", path=shown, line=2)

    def line_of(key: str) -> int | None:
        found = locations.lines.get((key,))
        return found + 1 if found is not None else None  # +1: the opening '---'

    for key, value in data.items():
        if key not in _FRONTMATTER_KEYS:
            raise ConfigError(
                f"unknown frontmatter key '{key}'",
                path=shown,
                line=line_of(key),
                field=str(key),
                hint="known keys: " + ", ".join(_FRONTMATTER_KEYS),
            )
        if not isinstance(value, str) or not value.strip() or "\n" in value.strip():
            raise ConfigError(
                f"'{key}' must be {_FRONTMATTER_KEYS[key]}, not {value!r}", path=shown, line=line_of(key), field=key
            )
    if "description" not in data:
        raise ConfigError("frontmatter has no 'description'", path=shown, line=1, field="description")
    clean = {key: value.strip() for key, value in data.items()}
    return clean, "".join(lines[end + 1 :]), end + 2
