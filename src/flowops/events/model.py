"""The event envelope: CloudEvents 1.0 in structured JSON form.

Every event flowops emits or delivers is an ``Event``; its ``to_dict()`` is the exact
JSON document handlers receive (on stdin, in the webhook body, in the audit log).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flowops.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from flowops.project import Project

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

# Dotted lower-case words: at least two of them, so "deploy" alone is refused.
EVENT_NAME_RE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")

_REQUIRED = ("specversion", "id", "source", "type")


@dataclass
class Event:
    """One CloudEvents 1.0 event (structured mode). ``flowops.Event`` is this class."""

    type: str
    source: str
    id: str
    time: str
    subject: str | None
    data: dict = field(default_factory=dict)
    specversion: str = SPECVERSION
    datacontenttype: str = CONTENT_TYPE

    def to_dict(self) -> dict:
        """The CloudEvents JSON keys; ``subject`` is left out when there is none."""
        out: dict[str, Any] = {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
        }
        if self.subject is not None:
            out["subject"] = self.subject
        out["datacontenttype"] = self.datacontenttype
        out["data"] = self.data
        return out

    @classmethod
    def from_dict(cls, d: dict) -> Event:
        """Rebuild an event from its JSON form (audit log, outbox); unknown keys are ignored."""
        missing = [key for key in _REQUIRED if not d.get(key)]
        if missing:
            raise ValueError(f"not a CloudEvents event: missing {', '.join(missing)}")
        return cls(
            type=d["type"],
            source=d["source"],
            id=d["id"],
            time=d.get("time") or "",
            subject=d.get("subject"),
            data=dict(d.get("data") or {}),
            specversion=d["specversion"],
            datacontenttype=d.get("datacontenttype") or CONTENT_TYPE,
        )


def check_event_name(name: str) -> str:
    """Return ``name`` if it is a valid event name, else raise UsageError (exit 2)."""
    if not isinstance(name, str) or not EVENT_NAME_RE.fullmatch(name):
        raise UsageError(
            f"invalid event name {name!r}",
            hint="use dotted lower-case words such as deploy.completed ([a-z0-9_]+ joined by dots, at least two)",
        )
    return name


def utc_now() -> str:
    """The current time in RFC 3339, UTC, millisecond precision (``2024-05-01T12:00:00.123Z``)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_event_id() -> str:
    """A ULID: unique, and sorts by creation time (handy when reading the audit log)."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


# Who is driving flowops in this context, when it is not a person at a terminal: the MCP
# server sets "mcp" around each tool call, so its events say so. A context variable, not
# an environment variable: it must not leak into hook programs or other sessions.
_ORIGIN: ContextVar[str | None] = ContextVar("flowops_event_origin", default=None)
_ORIGIN_RE = re.compile(r"[a-z][a-z0-9-]*")


@contextmanager
def event_origin(origin: str) -> Iterator[None]:
    """Within this block, events' ``source`` ends with ``/<origin>`` (e.g. ``flowops:/shop/mcp``)."""
    if not _ORIGIN_RE.fullmatch(origin):
        raise ValueError(f"an event origin is a lower-case word such as 'mcp', not {origin!r}")
    token = _ORIGIN.set(origin)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def default_source(project: Project) -> str:
    """``events.source`` from the settings, else ``flowops:/<repository name>``.

    Inside ``event_origin("mcp")`` the source gets the path segment ``/mcp`` appended.
    """
    try:
        configured = project.config.get("events.source")
    except ConfigError:  # a broken config must not stop an event from being recorded
        configured = None
    source = configured or f"flowops:/{project.name}"
    origin = _ORIGIN.get()
    return f"{source.rstrip('/')}/{origin}" if origin else source
