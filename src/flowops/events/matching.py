"""Which hooks an event goes to: event-name globs, then the optional ``filter`` on data fields.

Filter keys: ``FIELD: value`` is equality; ``FIELD_any: [..]`` matches when the field
(a value or a list) holds at least one of the values; ``FIELD_all: [..]`` when it holds
all of them. A field missing from the event's data never matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowops.events.model import Event

_MISSING = object()


def type_matches(patterns: Iterable[str], event_type: str) -> bool:
    """True when ``event_type`` matches one of the glob ``patterns`` (``*`` also spans dots)."""
    return any(fnmatchcase(event_type, pattern) for pattern in patterns)


def filter_matches(filters: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """True when every filter condition holds for ``data``."""
    for key, expected in filters.items():
        if key.endswith("_any") and isinstance(expected, list):
            values = _as_list(data.get(key[:-4], _MISSING))
            if values is None or not any(item in values for item in expected):
                return False
        elif key.endswith("_all") and isinstance(expected, list):
            values = _as_list(data.get(key[:-4], _MISSING))
            if values is None or not all(item in values for item in expected):
                return False
        elif data.get(key, _MISSING) != expected:
            return False
    return True


def hook_matches(hook: Any, event: Event) -> bool:
    """True when ``event`` (a flowops Event) is for ``hook`` (a hooksfile.Hook)."""
    return type_matches(hook.events, event.type) and filter_matches(hook.filter, event.data)


def _as_list(value: Any) -> list | None:
    if value is _MISSING or value is None:
        return None
    return list(value) if isinstance(value, (list, tuple, set)) else [value]
