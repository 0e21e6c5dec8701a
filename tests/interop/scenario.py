"""One backlog history, spelled in the flags both CLIs share, so either tool can write it.

Each step is the argument list after the program name. Running STEPS in a fresh
backlog gives the tasks in IDS; views of each are then compared across the tools.
"""

from __future__ import annotations

import re

RULE = "-" * 50

STEPS: tuple[tuple[str, ...], ...] = (
    ("task", "create", "Add OAuth login (v2): users/admins!", "-d", "First line\nSecond line",
     "--ac", "Login succeeds", "--ac", "Token refresh works", "-a", "@sara", "-a", "bob", "-l", "auth,backend",
     "--priority", "high", "--dod", "Docs updated"),
    ("task", "create", "Dependency target", "--priority", "low"),
    ("task", "create", "-p", "TASK-1", "Sub task", "--dep", "task-2", "--ref", "docs/x.md",
     "--doc", "https://example.com/doc", "--type", "bug", "--due-date", "2026-12-01"),
    ("task", "edit", "1", "--check-ac", "1", "--check-dod", "1", "--notes", "some notes", "--plan", "1. a\n2. b",
     "--comment", "A comment", "--comment-author", "@sara", "--final-summary", "sum", "-s", "In Progress"),
    ("task", "edit", "1", "--comment", "Second comment\n\nwith two paragraphs", "--comment-author", "@bob",
     "--add-label", "urgent"),
    ("task", "create", "Everything", "-d", "# Heading inside\n\n```\n## Not a section\n```\n\nEnd.",
     "--ac", "one", "--ac", "two", "--ac", "three", "--dod", "dod one", "-l", "x,y z", "-a", "@a,@b",
     "--priority", "medium", "--notes", "n"),
    ("task", "edit", "3", "--check-ac", "2", "--remove-ac", "1", "--append-notes", "more notes", "--dep", "TASK-1",
     "-s", "Done"),
    ("task", "create", "Quoted 'title': #1 & more", "-l", "ops", "-a", "@kim"),
    ("task", "edit", "4", "-t", "Renamed: it's done", "--remove-label", "ops", "--priority", "low",
     "-d", "now with text", "--uncheck-ac", "1", "--ac", "added later"),
    ("task", "create", "Draft thing", "--draft", "-d", "not yet"),
)

# What STEPS creates, in creation order.
IDS = ("TASK-1", "TASK-2", "TASK-1.1", "TASK-3", "TASK-4")
DRAFTS = ("DRAFT-1",)

# Fields flowops' create/edit has no flag for: written by Backlog.md only, read by both.
BACKLOG_ONLY_STEPS: tuple[tuple[str, ...], ...] = (
    ("task", "create", "Backlog-only fields", "--modified-file", "src/a.py", "--modified-file", "src/b.py",
     "--ordinal", "5", "--ref", "https://example.com/issue/1", "-l", "gone"),
    ("task", "edit", "5", "--add-ref", "docs/y.md", "--append-plan", "step two", "--plan", "step one",
     "--clear-labels", "--type", "spike"),
    ("doc", "create", "Login runbook"),
    ("doc", "create", "Other doc", "-t", "guide"),
)
BACKLOG_ONLY_IDS = ("TASK-5",)

# Fields of `task view --json` compared one by one (every field Backlog.md 1.52 prints).
VIEW_FIELDS = (
    "id", "title", "status", "type", "priority", "project", "assignees", "reporter", "labels", "milestone",
    "parentTaskId", "acceptanceCriteriaCompleted", "acceptanceCriteriaCount", "references", "modifiedFiles",
    "ordinal", "createdAt", "updatedAt", "dueDate", "isReady", "path", "description", "dependencies",
    "dependencyGraph", "readiness", "documentation", "subtasks", "acceptanceCriteria", "definitionOfDone",
    "implementationPlan", "implementationNotes", "comments", "finalSummary",
)


def without_dependents(graph: dict) -> dict:
    """``dependencyGraph`` restricted to what the task depends on.

    Backlog.md also lists the tasks that depend on this one (nodes with a positive
    ``dependentDepth``); flowops' view does not, because finding them means reading
    every task. docs/interop.md lists this difference.
    """
    dependents = {n["id"] for n in graph.get("nodes", []) if (n.get("dependentDepth") or 0) > 0}
    return {
        **graph,
        "nodes": [n for n in graph.get("nodes", []) if n["id"] not in dependents],
        "edges": [e for e in graph.get("edges", []) if e["from"] not in dependents],
    }


def without_dependents_block(plain: str) -> str:
    """``task view --plain`` output without Backlog.md's ``Dependents`` block (see without_dependents)."""
    plain = re.sub(r"Dependents \(\d+ direct, \d+ total\):\n(?:.+\n)*\n", "", plain)
    return plain.replace(f"\nDependency Graph:\n{RULE}\nDescription:", "\nDescription:")


def field_differences(reference: dict, ours: dict, fields=VIEW_FIELDS) -> dict:
    """{field: (reference value, our value)} for every field that differs."""
    differences = {}
    for name in fields:
        theirs, mine = reference.get(name, "<absent>"), ours.get(name, "<absent>")
        if name == "dependencyGraph" and isinstance(theirs, dict) and isinstance(mine, dict):
            theirs, mine = without_dependents(theirs), without_dependents(mine)
        if theirs != mine:
            differences[name] = (theirs, mine)
    return differences


def list_differences(reference: list[dict], ours: list[dict]) -> dict:
    """{id: field differences} between two ``tasks`` arrays of ``task list --json`` (same ids, same order)."""
    assert [t["id"] for t in ours] == [t["id"] for t in reference]
    differences = {}
    for mine, theirs in zip(ours, reference, strict=True):
        found = field_differences(theirs, mine, fields=theirs.keys())
        if found:
            differences[theirs["id"]] = found
    return differences
