from __future__ import annotations

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "backlog152"


def corpus_files() -> list[Path]:
    return sorted((CORPUS / "tasks").glob("*.md"))


def expected_json(task_id: str) -> dict | None:
    path = CORPUS / "expected" / f"{task_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))["task"] if path.exists() else None


@pytest.fixture
def backlog_project(tmp_path):
    """A project with an empty Backlog.md layout; returns (project, backlog)."""
    from flowops.backlog.store import Backlog, init_layout
    from flowops.project import Project

    init_layout(tmp_path / "backlog", "test")
    project = Project(tmp_path)
    return project, Backlog(project)


@pytest.fixture(autouse=True)
def _outside_the_racy_window(monkeypatch):
    """Tests write task files and read them back at once, inside the racy window in which the
    store caches nothing (store.RACY_NS); here the window is closed so caching can be tested.
    tests/backlog/test_racy.py opens it again."""
    from flowops.backlog import store

    monkeypatch.setattr(store, "RACY_NS", 0)
