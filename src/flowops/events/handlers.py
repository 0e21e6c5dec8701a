"""What a handler type is, what a delivery returns, and which handler types exist.

A handler type (``command``, ``webhook``, or one a plugin adds through
``register_handler_types``) is the key that says how a hook in ``.flowops/hooks.yaml``
delivers. It is any object with (no base class needed):

- ``schema``: a JSON Schema (a dict) of the hook mappings that use this type, e.g.
  ``{"properties": {"webhook": {...}}}``; its ``properties`` are the keys the type
  accepts on a hook. hooks.yaml is validated against it (``flowops.events.hooksfile``),
  with the messages its ``x-message``/``x-messages`` give (``flowops.schema``).
- optional ``validate(config) -> list``: what a schema cannot say (files on disk), each
  a string or a ``(field_path, message)`` pair (or ``(field_path, message, "warning")``)
  where ``field_path`` is a tuple inside the hook such as ``("webhook", "url")``.
  ``config`` is the hook's mapping (a ``HookConfig``: a dict with defaults applied, plus
  ``.root``, the repository folder).
- ``deliver(event, config, context) -> DeliveryResult``: send one event. Must not raise
  for delivery failures; return ``DeliveryResult(ok=False, error=...)`` instead.
- optional ``extra_keys``: hook-level keys it accepts besides its own (``command`` takes
  ``shell``, ``env`` and ``working_directory``).
- optional ``required_env(config) -> list[(field_path, name)]``: environment variables it
  needs beyond the ``${VAR}`` references flowops finds itself.
- optional ``describe(config) -> str``: one line for ``flowops hooks list``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.events import secrets

if TYPE_CHECKING:
    from flowops.events.model import Event
    from flowops.project import Project


class HandlerType:
    """A base for handler types (optional: any object with these methods will do)."""

    extra_keys: frozenset[str] = frozenset()
    schema: Mapping[str, Any] = {}

    def validate(self, config: Mapping[str, Any]) -> list:
        return []

    def deliver(self, event: Event, config: Mapping[str, Any], context: DeliveryContext) -> DeliveryResult:
        raise NotImplementedError


class HookConfig(dict):
    """A hook's mapping from hooks.yaml with defaults applied; ``root`` is the repository."""

    def __init__(self, data: Mapping[str, Any], root: Path) -> None:
        super().__init__(data)
        self.root = root


@dataclass
class DeliveryResult:
    """The outcome of delivering one event to one handler."""

    handler: str = ""
    kind: str = ""
    ok: bool = False
    exit_code: int | None = None
    status: int | None = None  # HTTP status, for webhooks
    attempts: int = 1
    duration_ms: float | None = None
    error: str | None = None
    skipped: bool = False
    note: str | None = None  # why a handler was skipped, or other context
    # Set by a handler type when a failure is worth delivering again later (outbox).
    requeue: bool = False
    queued: bool = False  # set by the bus once the event is in the outbox
    stdout: str | None = field(default=None, repr=False)
    stderr: str | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("requeue")
        return data

    def summary(self) -> str:
        """One line: ``notify: failed (exit 3, 2 attempts, 12 ms): boom``."""
        if self.skipped:
            return f"{self.handler}: skipped ({self.note or 'not run'})"
        facts = []
        if self.exit_code is not None:
            facts.append(f"exit {self.exit_code}")
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.attempts != 1:
            facts.append(f"{self.attempts} attempts")
        if self.duration_ms is not None:
            facts.append(f"{self.duration_ms:.0f} ms")
        text = f"{self.handler}: {'ok' if self.ok else 'failed'}"
        if facts:
            text += f" ({', '.join(facts)})"
        if self.error:
            text += f": {self.error}"
        if self.queued:
            text += " [queued in the outbox]"
        return text


@dataclass
class DeliveryContext:
    """What a handler type needs besides the event and its config.

    ``sleep`` and ``clock`` are injectable so that retry tests do not wait.
    """

    root: Path
    hook: str
    timeout: float
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    secrets: list[str] = field(default_factory=list)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def expand(self, value: Any) -> Any:
        """``${VAR}`` expanded from ``environ``; the values are remembered as secrets.

        Raises ``secrets.UnsetVariable`` for a variable that is not set.
        """
        return secrets.expand(value, self.environ, self.secrets)

    def redact(self, text: str | None) -> str | None:
        return secrets.redact(text, self.secrets)


def handler_types(project: Project) -> dict[str, Any]:
    """Handler types registered by plugins (the built-in ``handlers`` plugin gives command and webhook).

    The first registration of a name wins; plugin failures are in ``get_plugins(project).failures``.
    """
    from flowops.plugins import get_plugins

    types: dict[str, Any] = {}
    for item in get_plugins(project).collect("register_handler_types"):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            continue
        name, handler_type = item
        types.setdefault(name, handler_type)
    return types
