"""Kubernetes label selectors (``matchLabels`` and ``matchExpressions``), evaluated as the API server does."""

from __future__ import annotations

from typing import Any


def selects(selector: Any, labels: dict[str, str]) -> bool:
    """True when ``selector`` selects an object with ``labels``.

    An empty selector (``{}``) selects everything; a missing one (None) selects nothing,
    as for a PodDisruptionBudget in policy/v1. An expression with an unknown operator
    selects nothing (the API server would reject the object).
    """
    if selector is None or not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        return False
    for key, value in match_labels.items():
        if labels.get(str(key)) != str(value):
            return False
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return False
    return all(_expression(e, labels) for e in expressions)


def is_empty(selector: Any) -> bool:
    """True for a selector that selects every pod: ``{}`` (or only empty matchLabels/matchExpressions)."""
    if not isinstance(selector, dict):
        return False
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def _expression(expression: Any, labels: dict[str, str]) -> bool:
    if not isinstance(expression, dict):
        return False
    key = str(expression.get("key"))
    operator = expression.get("operator")
    values = [str(v) for v in expression.get("values") or []]
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False
