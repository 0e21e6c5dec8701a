"""The YAML frontmatter of Backlog.md files, read fast and edited in place.

A file is split into its frontmatter lines and its body. The frontmatter is kept as a
list of entries (one per top-level key, plus comment or blank lines), each with its raw
lines. Editing a key re-renders only that entry, the way js-yaml would write it, so a
file changes only where it was edited and unknown keys survive untouched.

Parsing takes a fast path for what Backlog.md writes (plain and quoted scalars, flow
and block lists, ``|``/``>`` block scalars); anything else (anchors, tags, nested maps,
multi-line flow) goes through PyYAML with js-yaml's typing rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flowops.backlog import jsyaml

_KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-]*|'[^']*'|\"[^\"]*\")[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_LIST_ITEM_RE = re.compile(r"^([ \t]*)-(?:[ \t]+(.*?))?[ \t]*$")
_BLOCK_HEADER_RE = re.compile(r"^([|>])([+-]?)([1-9]?)([+-]?)[ \t]*(?:#.*)?$")
_COMMENT_RE = re.compile(r"[ \t]+#.*$")


class FrontmatterError(ValueError):
    """The frontmatter is not valid YAML (or not a map); ``line`` is 1-based within the file."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class _Fallback(Exception):
    """The fast path does not handle this entry; parse the whole block with PyYAML."""


@dataclass
class Entry:
    """One key of the frontmatter with its exact lines (or a keyless line: a comment, a blank)."""

    key: str | None  # None for comments, blank lines and other keyless lines
    lines: list[str]
    value: Any = None
    dirty: bool = False
    rest: str = ""  # what follows "key:" on the first line


@dataclass
class Frontmatter:
    """An ordered, editable view of a frontmatter block."""

    entries: list[Entry] = field(default_factory=list)

    # -- reading --------------------------------------------------------------
    @classmethod
    def parse(cls, text: str, *, first_line: int = 2) -> Frontmatter:
        """Parse the lines between the ``---`` delimiters (LF newlines).

        ``first_line`` is the file line of the first frontmatter line, for error messages.
        """
        entries = _split_entries(text)
        try:
            if any(e.key is None and e.lines[0].strip() and not e.lines[0].lstrip().startswith("#") for e in entries):
                raise _Fallback  # not a plain map: let PyYAML report what is wrong
            for entry in entries:
                if entry.key is not None:
                    entry.value = _fast_value(entry)
        except _Fallback:
            # The line-based split guessed where entries end; for anything beyond the
            # fast path, the YAML parser's own marks say exactly which lines hold which key,
            # so replacing one key can never leave a stray line of its old value behind.
            entries = _yaml_entries(text, first_line)
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            if entry.key is None:
                continue
            if entry.key in seen:
                line = first_line + sum(len(e.lines) for e in entries[:index])
                raise FrontmatterError(f"duplicate key '{entry.key}'", line)
            seen.add(entry.key)
        return cls(entries)

    def get(self, key: str, default: Any = None) -> Any:
        for entry in self.entries:
            if entry.key == key:
                return entry.value
        return default

    def __contains__(self, key: str) -> bool:
        return any(entry.key == key for entry in self.entries)

    def keys(self) -> list[str]:
        return [entry.key for entry in self.entries if entry.key is not None]

    def as_dict(self) -> dict[str, Any]:
        return {entry.key: entry.value for entry in self.entries if entry.key is not None}

    # -- editing --------------------------------------------------------------
    def set(self, key: str, value: Any, *, order: list[str] | None = None) -> None:
        """Set ``key`` to ``value`` (scalar or list); a new key goes to its place in ``order``."""
        lines = jsyaml.dump_entry(key, value).split("\n")
        rest = lines[0].split(":", 1)[1].strip()
        for entry in self.entries:
            if entry.key == key:
                entry.lines, entry.value, entry.dirty, entry.rest = lines, value, True, rest
                return
        self.entries.insert(self._insert_position(key, order), Entry(key, lines, value, True, rest))

    def delete(self, key: str) -> None:
        self.entries = [entry for entry in self.entries if entry.key != key]

    def _insert_position(self, key: str, order: list[str] | None) -> int:
        # After the nearest key that precedes it in the canonical order, else before the
        # nearest one that follows it, else at the end: Backlog.md's key order.
        keyed = [(i, e.key) for i, e in enumerate(self.entries) if e.key is not None]
        if order and key in order:
            rank = order.index(key)
            before = [i for i, k in keyed if k in order and order.index(k) < rank]
            if before:
                return max(before) + 1
            after = [i for i, k in keyed if k in order and order.index(k) > rank]
            if after:
                return min(after)
        return len(self.entries)

    def render(self) -> str:
        """The frontmatter lines joined with LF (no delimiters, no final newline)."""
        return "\n".join(line for entry in self.entries for line in entry.lines)


# -- splitting ---------------------------------------------------------------------------


def _split_entries(text: str) -> list[Entry]:
    entries: list[Entry] = []
    if text == "":
        return entries
    current: Entry | None = None
    in_block = False
    key_match = _KEY_RE.match
    for line in text.split("\n"):
        first = line[:1]
        if first and first not in " \t#-":
            match = key_match(line)
            if match:
                key = match.group(1)
                if key[0] in "'\"":
                    key = key[1:-1]
                rest = match.group(2) or ""
                current = Entry(key, [line], rest=rest)
                in_block = rest.startswith(("|", ">"))
                entries.append(current)
                continue
        if current is not None and (first in (" ", "\t", "-") and first or (in_block and line == "")):
            current.lines.append(line)
            continue
        current = None
        in_block = False
        entries.append(Entry(None, [line]))
    if not any(e.rest.startswith(("|", ">")) for e in entries if e.key is not None):
        return entries
    # Blank lines that end a block scalar belong after it, unless it keeps them ("|+").
    result: list[Entry] = []
    for entry in entries:
        trailing = 0
        if entry.key is not None and entry.rest.startswith(("|", ">")) and "+" not in entry.rest[:3]:
            while len(entry.lines) > 1 and entry.lines[-1] == "":
                entry.lines.pop()
                trailing += 1
        result.append(entry)
        result.extend(Entry(None, [""]) for _ in range(trailing))
    return result


# -- the fast path -----------------------------------------------------------------------


def _fast_value(entry: Entry) -> Any:
    rest = entry.rest
    continuation = entry.lines[1:]
    if rest[:1] in ("|", ">"):
        return _block_scalar(rest, continuation)
    if continuation:
        if rest and not rest.startswith("#"):
            raise _Fallback  # a multi-line plain or quoted scalar
        return _block_list(continuation)
    if rest == "" or rest.startswith("#"):
        return None
    if rest[0] == "[":
        return _flow_list(rest)
    if entry.key in ("assignee", "reporter") and rest[0] == "@":
        # Backlog.md accepts an unquoted @name here (invalid YAML) and quotes it before parsing.
        return _COMMENT_RE.sub("", rest).strip()
    return _scalar(rest)


def _scalar(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    first = text[0]
    if first == "'":
        end = _single_quote_end(text)
        if end is None or _COMMENT_RE.sub("", text[end + 1 :]).strip():
            raise _Fallback
        return text[1:end].replace("''", "'")
    if first == '"':
        end = _double_quote_end(text)
        if end is None or _COMMENT_RE.sub("", text[end + 1 :]).strip():
            raise _Fallback
        return _unescape_double(text[1:end])
    if first in "&*!%@`{|>[]," or text.startswith(("? ", "- ")) or text == "-":
        raise _Fallback
    plain = _COMMENT_RE.sub("", text).rstrip()
    if ": " in plain or plain.endswith(":") or " #" in plain:
        raise _Fallback
    return jsyaml.resolve_plain(plain)


def _single_quote_end(text: str) -> int | None:
    i = 1
    while i < len(text):
        if text[i] == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                i += 2
                continue
            return i
        i += 1
    return None


def _double_quote_end(text: str) -> int | None:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return None


_SIMPLE_ESCAPES = {
    "0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _unescape_double(body: str) -> str:
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1 : i + 2]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in _HEX_ESCAPES:
            width = _HEX_ESCAPES[code]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _Fallback
            out.append(chr(int(digits, 16)))
            i += 2 + width
        else:
            raise _Fallback
    return "".join(out)


def _flow_list(text: str) -> list:
    text = _strip_flow_comment(text)
    if not text.endswith("]"):
        raise _Fallback
    inner = text[1:-1].strip()
    if not inner:
        return []
    items = []
    for part in _split_flow(inner):
        part = part.strip()
        if part == "":
            continue
        if part[0] == "@":
            items.append(part)  # Backlog.md quotes bare @names in inline lists before parsing
            continue
        if part[0] not in "'\"" and (":" in part or "#" in part or part[0] in "{[&*!|>%`"):
            raise _Fallback
        items.append(_scalar(part))
    return items


def _strip_flow_comment(text: str) -> str:
    end = text.rfind("]")
    if end != -1 and text[end + 1 :].strip().startswith("#"):
        return text[: end + 1]
    return text.rstrip()


def _split_flow(inner: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(inner):
        ch = inner[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < len(inner):
                current.append(inner[i + 1])
                i += 2
                continue
            if ch == quote:
                if quote == "'" and inner[i + 1 : i + 2] == "'":
                    current.append("'")
                    i += 2
                    continue
                quote = None
        elif ch in "'\"" and "".join(current).strip() == "":
            quote = ch
            current.append(ch)
        elif ch == ",":
            parts.append("".join(current))
            current = []
        elif ch in "[]{}":
            raise _Fallback
        else:
            current.append(ch)
        i += 1
    if quote:
        raise _Fallback
    parts.append("".join(current))
    return parts


def _block_list(lines: list[str]) -> list:
    items = []
    indent = None
    for line in lines:
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        match = _LIST_ITEM_RE.match(line)
        if not match:
            raise _Fallback
        if indent is None:
            indent = match.group(1)
        elif match.group(1) != indent:
            raise _Fallback
        value = match.group(2)
        if value is None:
            raise _Fallback  # a nested block under "-"
        if value[:1] in ("|", ">", "[", "{", "-"):
            raise _Fallback
        items.append(_scalar(value))
    return items


def _block_scalar(header: str, lines: list[str]) -> str:
    match = _BLOCK_HEADER_RE.match(header)
    if not match:
        raise _Fallback
    style = match.group(1)
    chomp = match.group(2) or match.group(4)
    explicit = match.group(3)
    content_lines = list(lines)
    indent = None
    if explicit:
        indent = int(explicit)  # relative to the parent (top level: column 0)
    else:
        for line in content_lines:
            if line.strip():
                indent = len(line) - len(line.lstrip(" "))
                break
    if not indent:
        return "" if chomp != "+" else "\n" * len(content_lines)
    body = []
    for line in content_lines:
        if line.strip() == "":
            body.append(line[indent:] if len(line) > indent else "")
            continue
        if len(line) - len(line.lstrip(" ")) < indent:
            raise _Fallback
        body.append(line[indent:])
    # Trailing blank lines are subject to chomping.
    trailing = 0
    while body and body[-1] == "":
        body.pop()
        trailing += 1
    if style == "|":
        text = "\n".join(body)
    else:
        if any(line[:1] in (" ", "\t") for line in body):
            raise _Fallback  # more-indented lines in folded scalars keep their breaks
        text = _fold(body)
    if not body:
        return "\n" * trailing if chomp == "+" else ""
    if chomp == "-":
        return text
    if chomp == "+":
        return text + "\n" * (trailing + 1)
    return text + "\n"


def _fold(lines: list[str]) -> str:
    out = ""
    blank_run = 0
    for index, line in enumerate(lines):
        if line == "":
            blank_run += 1
            continue
        if index == 0 or out == "" or blank_run:
            out += "\n" * blank_run + line
        else:
            out += " " + line
        blank_run = 0
    return out


# -- the PyYAML fallback -------------------------------------------------------------------

_LOADER = None


def _loader_class():
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class JsYamlLoader(base):  # type: ignore[misc, valid-type]
            """PyYAML parsing with js-yaml 3's safe-schema typing for plain scalars."""

            yaml_implicit_resolvers: dict = {}

            def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML API
                if kind is yaml.ScalarNode and implicit[0]:
                    return "tag:flowops,2024:plain"
                return super().resolve(kind, value, implicit)

        JsYamlLoader.add_constructor(
            "tag:flowops,2024:plain", lambda loader, node: jsyaml.resolve_plain(node.value)
        )
        _LOADER = JsYamlLoader
    return _LOADER


def _quote_backlog_legacy(text: str) -> str:
    # Backlog.md quotes unquoted @names in assignee/reporter and unquoted due dates
    # before handing the block to its YAML parser; do the same so both read alike. Only
    # top-level keys (column 0) are touched: a line inside a multi-line value that happens
    # to read "assignee: x" is part of that value. Block scalars, anchors, aliases, tags and
    # flow maps are YAML syntax, not legacy plain values.
    out = []
    for line in text.split("\n"):
        match = re.match(r"^((?:assignee|reporter):\s*)(.*)$", line)
        if match:
            head, value = match.group(1), match.group(2).strip()
            inline = re.match(r"^\[(.*)\]\s*(#.*)?$", value)
            if inline:
                items = []
                for item in (part.strip() for part in inline.group(1).split(",")):
                    if not item:
                        continue
                    if item.startswith("@"):
                        item = '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'
                    items.append(item)
                tail = f" {inline.group(2)}" if inline.group(2) else ""
                line = f"{head}[{', '.join(items)}]{tail}"
            elif value and value[0] not in "['\"-|>&*!{":
                line = head + '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out.append(line)
    return "\n".join(out)


def _yaml_entries(text: str, first_line: int) -> list[Entry]:
    """The frontmatter as entries whose line spans come from the parser's node marks."""
    import yaml

    lines = text.split("\n")
    # Each frontmatter line ends with a newline in the file (the closing --- follows), as
    # the fast path reads it: a final "key: |" value keeps its last line break.
    loader = _loader_class()(_quote_backlog_legacy(text) + "\n")
    try:
        node = loader.get_single_node()
        if node is None:
            return [Entry(None, [line]) for line in lines] if text else []
        if not isinstance(node, yaml.MappingNode):
            raise FrontmatterError("frontmatter is not a map of keys to values", first_line)
        from flowops.errors import ConfigError
        from flowops.yamlfile import check_expansion

        try:
            check_expansion(node, "")
        except ConfigError as exc:
            raise FrontmatterError(exc.message, first_line + exc.line - 1 if exc.line else None) from None
        spans: list[tuple[int, int, str, Any]] = []
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
            start = key_node.start_mark.line
            end_mark = value_node.end_mark
            # A mark at column 0 is the start of the line after the value.
            end = end_mark.line if end_mark.column == 0 and end_mark.line > start else end_mark.line + 1
            spans.append((start, max(end, start + 1), "" if key is None else str(key), value))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        raise FrontmatterError(f"invalid YAML in frontmatter: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise FrontmatterError(f"invalid YAML in frontmatter: {exc}", first_line) from None
    finally:
        loader.dispose()
    entries: list[Entry] = []
    position = 0
    for index, (start, end, key, value) in enumerate(spans):
        if start < position or (index + 1 < len(spans) and spans[index + 1][0] < end):
            # Two keys on one line (a flow mapping): no line belongs to one key alone.
            raise FrontmatterError(
                "flowops cannot edit a frontmatter written as a flow mapping ({...}); write one key per line", first_line + start
            )
        entries.extend(Entry(None, [line]) for line in lines[position:start])
        rest = lines[start].split(":", 1)[1].strip() if ":" in lines[start] else ""
        entries.append(Entry(key, lines[start:end], value, rest=rest))
        position = end
    entries.extend(Entry(None, [line]) for line in lines[position:])
    return entries
