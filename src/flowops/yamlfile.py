"""Load a YAML configuration file and remember where each value came from.

Schema errors must name file, field and line; ``load_yaml`` returns plain Python data
plus a ``Locations`` map from a field path such as ``("hooks", 0, "timeout")`` to
its 1-based line number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.errors import ConfigError

FieldPath = tuple[Any, ...]
# Largest files read: configuration (hooks.yaml, workflow.yml) and data (alert rules).
MAX_CONFIG_BYTES = 1024 * 1024
MAX_DATA_BYTES = 8 * 1024 * 1024
# How many values aliases may add to a document. Real configuration uses a few anchors
# (shared defaults); an alias bomb needs millions.
MAX_ALIAS_NODES = 10_000


@dataclass
class Locations:
    """Line numbers of the values in a loaded YAML document."""

    path: str
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line(self, *field_path: Any) -> int | None:
        """The line of ``field_path``, or of its nearest located parent."""
        probe = tuple(field_path)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get(())

    @staticmethod
    def dotted(field_path: FieldPath) -> str:
        """``("hooks", 0, "timeout")`` -> ``hooks[0].timeout`` for messages."""
        text = ""
        for part in field_path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text


def load_yaml(text: str, path: str) -> tuple[Any, Locations]:
    """Parse ``text`` (one document) safely; raise ConfigError with the line on bad YAML."""
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    locations = Locations(path)
    try:
        loader = loader_cls(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, locations
            check_expansion(node, path)
            data = _construct(loader, node, (), locations)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise invalid_yaml(exc, path, hint="fix the syntax and rerun") from None
    return data, locations


def invalid_yaml(exc: Exception, path: str, *, hint: str | None = None) -> ConfigError:
    """PyYAML's error ``exc`` as a ConfigError naming ``path`` and, when PyYAML marked one, the line."""
    import yaml

    if not isinstance(exc, yaml.MarkedYAMLError):
        return ConfigError(f"invalid YAML: {exc}", path=path)
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    return ConfigError(f"invalid YAML: {exc.problem or exc}", path=path, line=line, hint=hint)


def safe_load(text: str, path: str) -> Any:
    """``yaml.safe_load`` with the alias bound of ``check_expansion``; ConfigError on bad YAML."""
    data, _where = load_yaml(text, path)
    return data


def check_expansion(node: Any, path: str, *, limit: int = MAX_ALIAS_NODES) -> None:
    """Refuse (ConfigError) a node graph whose aliases expand beyond ``limit`` extra nodes, or loop.

    An alias is a second reference to an anchored node: building the data copies the node
    once per reference, so 560 bytes of nested aliases ("billion laughs") become gigabytes.
    The expanded size is counted on the node graph first (once per distinct node, so the
    count itself is linear in the file), before anything is built.
    """

    def exceeded(_node: Any, size: int, distinct: int) -> ConfigError | None:
        if size - distinct <= limit:
            return None
        return ConfigError(
            f"YAML aliases expand beyond {limit:,} extra values (an alias bomb?); refusing to read it",
            path=path, hint="write the values out, or use fewer anchors and aliases",
        )

    def looped(current: Any) -> ConfigError:
        return ConfigError(
            "YAML aliases refer back to themselves (an endless structure); refusing to read it",
            path=path, line=current.start_mark.line + 1, hint="remove the recursive anchor/alias",
        )

    expanded_size(node, exceeded=exceeded, looped=looped)


def expanded_size(
    root: Any, *, exceeded: Callable[[Any, int, int], Exception | None], looped: Callable[[Any], Exception]
) -> int:
    """The number of values ``root``'s node graph becomes once every alias is copied out.

    Counted without building anything, once per distinct node (an iterative post-order
    walk, so the count is linear in the file and deep nesting cannot overflow the stack).
    ``exceeded(node, size, distinct)`` is asked as each node is finished (its expanded size,
    the distinct nodes seen so far) and the error it returns, if any, is raised; an alias
    that refers to a node containing it raises ``looped(node)``.
    """
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # started, not finished: the path from the root
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = size = 1 + sum(sizes[id(child)] for child in _children(node, yaml))
            error = exceeded(node, size, len(sizes))
            if error is not None:
                raise error
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node, yaml):
            if id(child) in open_nodes:
                raise looped(child)
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: Any, yaml: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml_documents(text: str, path: str) -> list[tuple[Any, Locations]]:
    """Parse every document of a multi-document stream (``---`` separated), each with its lines.

    Empty documents are left out. Line numbers count from the top of the stream, so a
    problem in the third document still names its line in the file. Bad YAML anywhere is
    a ConfigError with the line, as with ``load_yaml``.
    """
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[tuple[Any, Locations]] = []
    try:
        loader = loader_cls(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                check_expansion(node, path)
                locations = Locations(path)
                documents.append((_construct(loader, node, (), locations), locations))
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise invalid_yaml(exc, path, hint="fix the syntax and rerun") from None
    return documents


def load_yaml_file(
    file: Path, display_path: str | None = None, *, root: Path | None = None, limit: int = MAX_DATA_BYTES
) -> tuple[Any, Locations]:
    """Read ``file`` as UTF-8 and parse it with ``load_yaml``.

    At most ``limit`` bytes are read. With ``root`` (a file the repository provides) only a
    regular file inside it is read; without (a path the user named), a pipe is fine too.
    """
    from flowops.safeio import RefusedFile, read_config, read_named

    shown = display_path or str(file)
    try:
        raw = read_config(file, root, limit) if root is not None else read_named(file, limit)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", path=shown) from None
    except RefusedFile as exc:
        raise ConfigError(f"cannot read: {exc.reason}", path=shown) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=shown) from None
    return load_yaml(text, shown)


def _construct(loader: Any, node: Any, where: FieldPath, locations: Locations) -> Any:
    import yaml

    locations.lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in result:
                raise ConfigError(
                    f"duplicate key '{key}'",
                    path=locations.path,
                    line=key_node.start_mark.line + 1,
                    field=Locations.dotted((*where, key)),
                )
            result[key] = _construct(loader, value_node, (*where, key), locations)
            # A key's own line is more useful than its value's for block values.
            locations.lines[(*where, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, (*where, index), locations) for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
