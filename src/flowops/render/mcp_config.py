"""Registering ``flowops mcp`` in a coding agent's project configuration (``commands install --mcp``).

| agent                  | file                    | key          | entry                                             |
|------------------------|-------------------------|--------------|---------------------------------------------------|
| claude, claude-plugin  | .mcp.json               | mcpServers   | type stdio, command flowops, args [mcp], env {}   |
| gemini                 | .gemini/settings.json   | mcpServers   | command flowops, args [mcp]                       |
| cursor                 | .cursor/mcp.json        | mcpServers   | type stdio, args [mcp, --root, ${workspaceFolder}]|
| copilot                | .vscode/mcp.json        | servers      | type stdio, args [mcp, --root, ${workspaceFolder}]|

The file is merged, never replaced: other servers and other keys stay as they are, in
their order, with the file's own indentation; only the ``flowops`` entry is added. An
entry that is already there and equal leaves the file untouched (byte for byte); one that
differs (the user edited it) is kept unless ``force``. A file that is not valid JSON is an
error naming it and the line, and is never overwritten. Every write is atomic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowops.errors import ConfigError, StoreError
from flowops.render.writes import KEPT, UNCHANGED, WOULD_WRITE, WRITTEN

SERVER_NAME = "flowops"
COMMAND = "flowops"
# Large enough for any agent configuration; a bigger file is not one flowops should parse.
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class McpConfigFormat:
    """Where one agent reads its project's MCP servers, and the entry that starts flowops."""

    path: str
    key: str
    entry: dict[str, Any]


_CLAUDE = McpConfigFormat(".mcp.json", "mcpServers", {"type": "stdio", "command": COMMAND, "args": ["mcp"], "env": {}})
# Cursor and VS Code start servers in a folder of their choosing; ${workspaceFolder} (which
# both expand) names the project, so the server serves the right backlog.
_WORKSPACE_ARGS = ["mcp", "--root", "${workspaceFolder}"]

MCP_CONFIGS: dict[str, McpConfigFormat] = {
    "claude": _CLAUDE,
    "claude-plugin": _CLAUDE,
    "gemini": McpConfigFormat(".gemini/settings.json", "mcpServers", {"command": COMMAND, "args": ["mcp"]}),
    "cursor": McpConfigFormat(".cursor/mcp.json", "mcpServers", {"type": "stdio", "command": COMMAND, "args": _WORKSPACE_ARGS}),
    "copilot": McpConfigFormat(".vscode/mcp.json", "servers", {"type": "stdio", "command": COMMAND, "args": _WORKSPACE_ARGS}),
}

NO_PROJECT_CONFIG = {
    "codex": "Codex reads MCP servers from ~/.codex/config.toml only; add [mcp_servers.flowops] with "
             "command = \"flowops\" and args = [\"mcp\"] there (or `codex mcp add flowops -- flowops mcp`)",
}


@dataclass
class McpConfigChange:
    """The planned change to one agent configuration file."""

    agent: str
    path: str  # relative to the project root
    target: Path  # the file written (a link inside the project is followed)
    status: str  # written (planned), unchanged or kept
    text: str | None = None  # the new content when status is written


def plan_mcp_configs(root: Path, agents: list[str], *, force: bool = False) -> tuple[list[McpConfigChange], list[str]]:
    """Read and merge every agent's configuration; write nothing. Returns the changes and notes.

    Raises ConfigError (exit 2) for a file that is not valid JSON or not shaped as the agent
    expects, before anything is written.
    """
    changes: list[McpConfigChange] = []
    notes: list[str] = []
    seen: set[str] = set()
    for agent in agents:
        if agent in NO_PROJECT_CONFIG:
            notes.append(NO_PROJECT_CONFIG[agent])
            continue
        fmt = MCP_CONFIGS[agent]
        if fmt.path in seen:
            continue
        seen.add(fmt.path)
        changes.append(_plan(root, agent, fmt, force))
    return changes, notes


def apply_mcp_config(change: McpConfigChange, *, dry_run: bool = False) -> str:
    """Carry out one planned change; return its final status."""
    from flowops.atomic import atomic_write_text

    if change.status != WRITTEN or change.text is None:
        return change.status
    if dry_run:
        return WOULD_WRITE
    try:
        atomic_write_text(change.target, change.text)
    except OSError as exc:
        raise StoreError(f"cannot write: {exc}", path=change.path) from None
    return WRITTEN


def _plan(root: Path, agent: str, fmt: McpConfigFormat, force: bool) -> McpConfigChange:
    target = _target(root, fmt.path)
    original = _read(target, fmt.path)
    document = _parse(original, fmt.path) if original is not None else {}
    servers = document.get(fmt.key)
    if servers is not None and not isinstance(servers, dict):
        raise ConfigError(f"'{fmt.key}' must be an object mapping server names to their settings",
                          path=fmt.path, line=_line_of(original or "", fmt.key), field=fmt.key,
                          hint="fix the file, then run the command again; it was not changed")
    current = (servers or {}).get(SERVER_NAME)
    if current == fmt.entry:
        return McpConfigChange(agent, fmt.path, target, UNCHANGED)
    if current is not None and not force:
        return McpConfigChange(agent, fmt.path, target, KEPT)
    return McpConfigChange(agent, fmt.path, target, WRITTEN, merged_text(original, fmt.key, fmt.entry))


def merged_text(original: str | None, key: str, entry: dict[str, Any]) -> str:
    """``original`` with ``entry`` as server ``flowops`` under ``key``, all else as it was, byte for byte.

    The entry is spliced into the text (in the file's own indentation) rather than the
    whole document dumped again, so the user's formatting of everything else survives.
    Should the splice ever not parse back to the intended document, the document is
    written out whole instead: correct content wins over kept formatting.
    """
    document = _parse(original, "") if original and original.strip() else {}
    kept_formatting = bool(document)  # an empty file or {} is written out afresh
    servers = document.setdefault(key, {})
    servers[SERVER_NAME] = entry
    if original and kept_formatting:
        try:
            text = _splice(original, key, entry)
            if json.loads(text) == document:
                return text
        except (ValueError, IndexError):
            pass
    text = json.dumps(document, indent=_indent(original or ""), ensure_ascii=False)
    return text + "\n" if original is None or not original.strip() or original.endswith("\n") else text


def _splice(text: str, key: str, entry: dict[str, Any]) -> str:
    unit = _indent(text)
    unit_text = " " * unit if isinstance(unit, int) else unit
    top = _skip_ws(text, 0)
    members = _members(text, top)
    found = next((m for m in members if m.key == key), None)
    if found is None:
        return _insert_member(text, top, members, key, {SERVER_NAME: entry}, unit, unit_text)
    servers_at = _skip_ws(text, found.value_start)
    inner = _members(text, servers_at)
    existing = next((m for m in inner if m.key == SERVER_NAME), None)
    member_indent = _line_indent(text, found.key_start) + unit_text
    if existing is not None:
        compact = "\n" not in text[existing.value_start : existing.value_end]
        return text[: existing.value_start] + _dumped(entry, unit, member_indent, compact) + text[existing.value_end :]
    return _insert_member(text, servers_at, inner, SERVER_NAME, entry, unit, member_indent)


@dataclass(frozen=True)
class _Member:
    key: str
    key_start: int
    value_start: int
    value_end: int


def _insert_member(text: str, open_at: int, members: list[_Member], key: str, value: Any, unit: str | int,
                   indent: str) -> str:
    """Add ``"key": value`` as the last member of the object opening at ``open_at``, in its style.

    ``indent`` is where a member of that object starts its line; an object written on one
    line gets the member on that line too.
    """
    close_at = _skip_value(text, open_at) - 1  # the object's closing brace
    # One line stays one line; an empty {} in a file of several lines opens up.
    compact = "\n" not in text[open_at:close_at] and (bool(members) or "\n" not in text.strip())
    member = f"{json.dumps(key)}: {_dumped(value, unit, indent, compact)}"
    if members:
        last = members[-1].value_end
        if compact:
            return text[:last] + ", " + member + text[last:]
        return text[:last] + f",\n{_line_indent(text, members[-1].key_start)}{member}" + text[last:]
    if compact:
        return text[: open_at + 1] + member + text[close_at:]
    return text[: open_at + 1] + f"\n{indent}{member}\n{_line_indent(text, open_at)}" + text[close_at:]


def _dumped(value: Any, unit: str | int, indent: str, compact: bool) -> str:
    """``value`` as JSON: on one line, or indented with continuation lines starting at ``indent``."""
    if compact:
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, indent=unit, ensure_ascii=False).replace("\n", "\n" + indent)


def _line_indent(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    match = re.match(r"[ \t]*", text[start:at])
    return match.group(0) if match else ""


def _skip_ws(text: str, at: int) -> int:
    while text[at] in " \t\r\n":
        at += 1
    return at


def _skip_string(text: str, at: int) -> int:
    """The index after the string starting at ``at`` (an opening quote)."""
    at += 1
    while text[at] != '"':
        at += 2 if text[at] == "\\" else 1
    return at + 1


def _skip_value(text: str, at: int) -> int:
    """The index after the JSON value starting at ``at`` (the text is known to be valid JSON)."""
    char = text[at]
    if char == '"':
        return _skip_string(text, at)
    if char in "{[":
        depth = 0
        while True:
            char = text[at]
            if char == '"':
                at = _skip_string(text, at)
                continue
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return at + 1
            at += 1
    while at < len(text) and text[at] not in ",}] \t\r\n":
        at += 1
    return at


def _members(text: str, open_at: int) -> list[_Member]:
    """The members of the object whose ``{`` is at ``open_at``, with where each key and value are."""
    if text[open_at] != "{":
        raise ValueError("not an object")
    members = []
    at = _skip_ws(text, open_at + 1)
    while text[at] != "}":
        key_start = at
        after_key = _skip_string(text, at)
        key = json.loads(text[key_start:after_key])
        at = _skip_ws(text, after_key)
        value_start = _skip_ws(text, at + 1)  # past the colon
        value_end = _skip_value(text, value_start)
        members.append(_Member(key, key_start, value_start, value_end))
        at = _skip_ws(text, value_end)
        if text[at] == ",":
            at = _skip_ws(text, at + 1)
    return members


def _target(root: Path, rel: str) -> Path:
    """The file to read and write: ``root/rel``, following links only while they stay in the project."""
    path = root / rel
    resolved = path.resolve()
    try:
        resolved.relative_to(root.resolve())
    except ValueError:
        raise ConfigError(f"is a link to {resolved}, outside the project", path=rel,
                          hint="flowops follows no link out of the repository; register the server there by hand") from None
    return resolved


def _read(target: Path, shown: str) -> str | None:
    if not target.exists():
        return None
    if not target.is_file():
        raise StoreError("is not a regular file", path=shown, hint="move it away, then run the command again")
    try:
        with target.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise StoreError(f"cannot read: {exc}", path=shown) from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"is larger than {MAX_BYTES // 1024} KiB; not an agent configuration flowops will edit",
                          path=shown, hint="register the server by hand (see docs/agents.md)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", path=shown) from None


def _parse(text: str, shown: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=shown, line=exc.lineno,
                          hint="fix the file (comments are not JSON), then run the command again; it was not changed") from None
    if not isinstance(document, dict):
        raise ConfigError("must be a JSON object", path=shown, line=1,
                          hint="fix the file, then run the command again; it was not changed")
    return document


def _indent(text: str) -> str | int:
    """The file's own indentation (its first indented line), so a merge changes only what it adds."""
    for line in text.splitlines()[1:]:
        match = re.match(r"[ \t]+", line)
        if match and line.strip():
            unit = match.group(0)
            return len(unit) if set(unit) == {" "} else unit
    return 2


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{key}"' in line:
            return number
    return None
