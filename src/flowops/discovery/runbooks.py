"""Runbook documents: the backlog documents flowops generated for alerts, and whether they are written."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flowops.ops.alerts import Alert


def runbook_documents(backlog: Any, alerts: Sequence[Alert]) -> tuple[list[dict], list[tuple[str, str]]]:
    """(one entry per runbook document, (path, reason) for documents that cannot be read).

    An entry names the document, the alert it serves (its key label) and whether it is
    filled, judged against the skeleton generated for that alert when the alert is
    among ``alerts`` (``flowops.ops.runbooks.runbook_fill``).
    """
    from flowops.backlog.documents import Documents
    from flowops.ops.runbooks import document_key, runbook_fill

    if not backlog.exists:
        return [], []
    by_label = {alert.label: alert for alert in alerts}
    documents, bad = Documents(backlog).list()
    entries = []
    for document in documents:
        label = document_key(document.body)
        if label is None:
            continue
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
