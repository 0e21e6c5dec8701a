"""Where a test project's audit log and outbox are (the git folder in a git repository: flowops.statedir)."""

from __future__ import annotations

from pathlib import Path

from flowops.events.audit import log_path
from flowops.events.outbox import outbox_path
from flowops.project import Project


def audit_log(root: Path) -> Path:
    """The audit log file of the project at ``root``."""
    return log_path(Project(Path(root)))


def outbox_file(root: Path) -> Path:
    """The outbox file of the project at ``root``."""
    return outbox_path(Project(Path(root)))
