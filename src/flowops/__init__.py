"""flowops: the operations phase of a spec-driven, agent-assisted workflow.

The public API is small and imported lazily so that ``flowops --version`` stays fast:

- ``hookimpl``: decorator for plugin hook implementations
- ``Event``: the CloudEvents envelope handed to ``on_event`` observers
- ``Task``: a task of the Backlog.md-compatible store
- ``load_backlog(path=".")``: open the backlog of a repository
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Event", "Task", "__version__", "hookimpl", "load_backlog"]


def __getattr__(name: str):
    if name == "hookimpl":
        from flowops.hookspecs import hookimpl

        return hookimpl
    if name == "Event":
        from flowops.events.model import Event

        return Event
    if name == "Task":
        from flowops.backlog.model import Task

        return Task
    if name == "load_backlog":
        from flowops.backlog.store import load_backlog

        return load_backlog
    raise AttributeError(f"module 'flowops' has no attribute {name!r}")
