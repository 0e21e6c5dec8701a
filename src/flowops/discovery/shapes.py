"""Loaded YAML as the shape a reader expects: a mapping or a list, empty when the file says otherwise.

Repository files are untrusted and often wrong; a reader asks ``mapping(data.get("spec"))``
and carries on with ``{}`` rather than failing on a list or a string where a mapping
belongs. Whether that emptiness is a problem is the caller's (or a check's) decision.
"""

from __future__ import annotations

from typing import Any


def mapping(value: Any) -> dict[Any, Any]:
    """``value`` when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []
