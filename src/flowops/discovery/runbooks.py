"""Runbook documents: the backlog documents flowops generated for alerts, and whether they are written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowops.ops.alerts import AlertRule

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog


def runbook_documents(backlog: Backlog, alerts: Sequence[AlertRule]) -> tuple[list[dict], list[tuple[str, str]]]:
    """(one entry per runbook document, (path, reason) for documents that cannot be read).

    An entry names the document, the alert it serves (its key label) and whether it is
    filled, judged against the skeleton generated for that alert when the alert is
    among ``alerts`` (``flowops.ops.runbooks.runbook_fill``).
    """
    from flowops.backlog.documents import Documents
    from flowops.errors import ConfigError
    from flowops.ops.alerts import group_rules
    from flowops.ops.runbooks import document_keys, runbook_fill

    if not backlog.exists:
        return [], []
    try:
        by_label = {alert.label: alert for alert in group_rules(alerts)}
    except ConfigError:
        by_label = {}  # two alert names with one slug: judged without the alerts (prom.* checks name the clash)
    documents, bad = Documents(backlog).list()
    entries = []
    for document in documents:
        labels, _tagged = document_keys(document.tags, document.body)
        if not labels:
            continue
        label = labels[0]
        fill = runbook_fill(document.body, by_label.get(label))
        entries.append({
            "id": document.id,
            "title": document.title,
            "path": backlog.relpath(document.path) if document.path else None,
            "key": label,
            "alertDiscovered": label in by_label,
            "filled": fill.filled,
            "unfilled": len(fill.problems()),
        })
    return entries, [(backlog.relpath(path), f"cannot be read: {reason}") for path, reason in bad]
