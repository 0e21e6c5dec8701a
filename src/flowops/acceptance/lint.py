"""Acceptance-criteria lint: is a criterion something a reviewer can check?

The rules are plugins (``lint_criterion``); the built-in ones live in
``flowops.builtin.criteria_lint``. This module runs them all, each isolated, so a
broken third-party rule is reported as a plugin failure and never hides the others.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowops.plugins import Plugins


@dataclass(frozen=True)
class Finding:
    """Why one criterion is not checkable, and how to make it so."""

    rule: str  # e.g. "no-measurable-element", "vague-predicate"
    message: str
    suggestion: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def lint_text(text: str, plugins: Plugins) -> list[Finding]:
    """Run every ``lint_criterion`` implementation on ``text`` and gather their findings.

    A rule may return None, one Finding or a list of them. Anything else it returns,
    and any exception it raises, is recorded in ``plugins.failures`` and skipped.
    """
    from flowops.plugins import PluginFailure

    findings: list[Finding] = []
    for plugin_name, result in plugins.call_each("lint_criterion", text=text):
        if result is None:
            continue
        items = [result] if isinstance(result, Finding) else result
        if not isinstance(items, (list, tuple)):
            items = [items]
        for item in items:
            if isinstance(item, Finding):
                findings.append(item)
            else:
                plugins.failures.append(
                    PluginFailure(plugin_name, f"returned a {type(item).__name__}, expected a Finding", "lint_criterion")
                )
    return findings
