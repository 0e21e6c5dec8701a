"""YAML read from an untrusted repository: every document of a file, bounded, with line numbers.

A repository may come from a stranger's pull request, so a YAML file is data that can
attack its reader: a few hundred bytes of nested aliases ("billion laughs") expand to
gigabytes, a recursive alias never ends, and merge keys (``<<: [*a, *a]``) copy
mappings exponentially. Nothing is constructed before the node graph has been sized:
the number of nodes the expanded document would have is counted once per distinct node
(memoised, so counting is linear in the file), and a document over ``max_nodes`` or with
a cycle is refused with ``UnsafeYaml``. Only the safe loader's plain types are built.

``load_documents`` also records where each value sits (a ``Locations`` per document,
as ``flowops.yamlfile`` does for configuration files), so findings can name a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowops.errors import ConfigError
from flowops.yamlfile import FieldPath, Locations, expanded_size, invalid_yaml

# A 1 MiB manifest of ordinary Kubernetes objects has well under 200,000 nodes;
# an alias bomb reaches this after a handful of levels.
MAX_NODES = 200_000
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class UnsafeYaml(ConfigError):
    """A YAML file refused before construction: alias expansion too large, recursive or too deep."""


@dataclass
class YamlDocument:
    """One document of a YAML stream: its data, where its values are, its first line (1-based)."""

    data: Any
    where: Locations
    line: int
    index: int  # 0-based position in the file


def load_documents(text: str, path: str, *, max_nodes: int = MAX_NODES, unique_keys: bool = False) -> list[YamlDocument]:
    """Every non-empty document of ``text``; ``path`` is the name used in messages.

    Raises ConfigError (with the line) for invalid YAML, UnsafeYaml for a document whose
    expansion exceeds ``max_nodes`` nodes or refers to itself. With ``unique_keys`` a
    repeated mapping key is a ConfigError, as in configuration files; otherwise the
    last value wins, as in the YAML readers Kubernetes and Prometheus use.
    """
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[YamlDocument] = []
    try:
        loader = loader_cls(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                if node is None:  # pragma: no cover - check_node said there was one
                    continue
                where = Locations(path)
                _check_size(node, max_nodes, path)
                data = _Builder(loader, where, unique_keys).build(node, ())
                documents.append(YamlDocument(data, where, node.start_mark.line + 1, index))
                index += 1
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise invalid_yaml(exc, path) from None
    except RecursionError:
        raise UnsafeYaml("YAML nested too deeply to read safely", path=path) from None
    return [doc for doc in documents if doc.data is not None]


def _check_size(root: Any, max_nodes: int, path: str) -> None:
    """Refuse a node graph whose expansion exceeds ``max_nodes`` or that contains a cycle."""

    def exceeded(node: Any, size: int, _distinct: int) -> UnsafeYaml | None:
        if size <= max_nodes:
            return None
        return UnsafeYaml(
            f"YAML document expands to more than {max_nodes:,} values (alias expansion); refused",
            path=path,
            line=node.start_mark.line + 1,
            hint="a file in the repository should not need this many aliases; this looks like an alias bomb",
        )

    def looped(child: Any) -> UnsafeYaml:
        return UnsafeYaml("YAML alias refers to itself (a recursive structure); refused", path=path,
                          line=child.start_mark.line + 1)

    expanded_size(root, exceeded=exceeded, looped=looped)


class _Builder:
    """Plain Python data from a sized node graph, recording each value's line in ``where``."""

    def __init__(self, loader: Any, where: Locations, unique_keys: bool) -> None:
        import yaml

        self.loader = loader
        self.where = where
        self.unique_keys = unique_keys
        self.mapping = yaml.MappingNode
        self.sequence = yaml.SequenceNode

    def build(self, node: Any, at: FieldPath) -> Any:
        self.where.lines[at] = node.start_mark.line + 1
        if isinstance(node, self.mapping):
            if any(key.tag == _MERGE_TAG for key, _value in node.value):
                # Merge keys are resolved on a copy: flatten_mapping rewrites the node
                # in place, and an aliased node may be shared with another place.
                node = self._flattened(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar_key(key_node)
                if self.unique_keys and key in result:
                    raise ConfigError(f"duplicate key '{key}'", path=self.where.path, line=key_node.start_mark.line + 1,
                                      field=Locations.dotted((*at, key)))
                result[key] = self.build(value_node, (*at, key))
                self.where.lines[(*at, key)] = key_node.start_mark.line + 1
            return result
        if isinstance(node, self.sequence):
            return [self.build(item, (*at, index)) for index, item in enumerate(node.value)]
        if node.tag == _STR_TAG:
            return node.value
        return self.loader.construct_object(node)

    def _scalar_key(self, node: Any) -> Any:
        if isinstance(node, (self.mapping, self.sequence)):
            # Complex keys are legal YAML but mean nothing in the files flowops reads.
            return f"<complex key at line {node.start_mark.line + 1}>"
        key = node.value if node.tag == _STR_TAG else self.loader.construct_object(node)
        try:
            hash(key)
        except TypeError:
            return str(key)
        return key

    def _flattened(self, node: Any) -> Any:
        import yaml

        copy = yaml.MappingNode(node.tag, list(node.value), node.start_mark, node.end_mark, node.flow_style)
        self.loader.flatten_mapping(copy)
        return copy
