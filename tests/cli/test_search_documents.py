"""``search`` reads documents only when the docs folder holds a file: the same documents, and no parser imported for none."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowops.backlog.documents import Documents
from flowops.backlog.store import load_backlog
from flowops.cli.search import _documents

GUIDE = "---\nid: doc-1\ntitle: Latency guide\ntype: guide\n---\n\nLatency budget guide.\n"


@pytest.mark.parametrize("layout", ["no folder", "empty", "empty subfolder", "other file", "doc in subfolder", "doc and broken"])
def test_the_documents_are_those_documents_list_reads(repo, flowops, layout):
    assert flowops("init").exit_code == 0
    docs = repo / "backlog" / "docs"
    if layout == "no folder":
        if docs.exists():
            docs.rmdir()
    else:
        docs.mkdir(exist_ok=True)
    if layout == "empty subfolder":
        (docs / "guides").mkdir()
    if layout == "other file":
        (docs / "notes.txt").write_text("latency\n")
    if layout == "doc in subfolder":
        (docs / "guides").mkdir()
        (docs / "guides" / "doc-1 - Latency guide.md").write_text(GUIDE)
    if layout == "doc and broken":
        (docs / "doc-1 - Latency guide.md").write_text(GUIDE)
        (docs / "doc-2 - Broken.md").write_text("---\nid: doc-2\ntitle: [unclosed\n---\n")
    backlog = load_backlog(repo)
    assert _documents(backlog) == Documents(backlog).list()
    if layout.startswith("doc"):
        assert [d.id for d in _documents(backlog)[0]] == ["doc-1"]


def _search_imports(repo, query: str) -> tuple[str, str]:
    code = ("import sys; from flowops.cli import main; rc = main(sys.argv[1:]);"
            "print(rc, 'flowops.backlog.documents' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "FLOWOPS_ROOT"}
    done = subprocess.run([sys.executable, "-c", code, "search", query, "--plain"], cwd=repo, capture_output=True, text=True,
                          check=True, env=env)
    return done.stdout, done.stderr


def test_a_search_imports_the_document_parser_only_when_there_are_documents(repo, flowops):
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout latency' -d 'keep the latency budget'").exit_code == 0
    (repo / "backlog" / "docs").mkdir(exist_ok=True)
    out, err = _search_imports(repo, "latency")
    assert out == "Tasks:\n  TASK-1 - Checkout latency (To Do) [score 1.000]\n0 False\n", err
    (repo / "backlog" / "docs" / "doc-1 - Latency guide.md").write_text(GUIDE)
    out, err = _search_imports(repo, "latency")
    assert out == ("Tasks:\n  TASK-1 - Checkout latency (To Do) [score 1.000]\n\nDocuments:\n  doc-1 - Latency guide [score 1.000]\n"
                   "0 True\n"), err
