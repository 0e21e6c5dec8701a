"""Events: the model, the bus, hooks.yaml and its handler types, the audit log, the outbox.

Where hooks.yaml lives is said here, so that the bus can see there is none without
importing the modules that read one (hooks emit with no handler stays small).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowops.project import Project

HOOKS_FILE = ".flowops/hooks.yaml"


def hooks_path(project: Project) -> Path:
    """The hooks.yaml of ``project`` (whether or not it exists)."""
    return Path(project.root) / HOOKS_FILE
