"""The enforced workflow: workflow.yml model and loader, validation, state labels, guard, transitions.

``flowops init`` writes ``default_workflow_yaml()`` to ``.flowops/workflow.yml``.
"""

from __future__ import annotations

from flowops.workflow.default import default_workflow_yaml

__all__ = ["default_workflow_yaml"]
