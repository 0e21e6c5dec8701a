"""``task list --plain`` and ``search --plain`` say the same bytes whether served from the columns part or read afresh."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from flowops.backlog import store

LIST_OPTIONS = ["", "--sort priority", "--sort id", "--sort updated", "--sort ordinal", "-s Done", "-s 'In Progress,To Do'",
                "-l perf", "-a sara", "--priority high", "--all", "--limit 2", "--all --sort id --limit 3", "-p 1", "-s Nope",
                "-p TASK-99"]
SEARCH_OPTIONS = ["latency", "'latency budget'", "budget -s Done", "latency --priority high", "latency --type task",
                  "guide --type document", "latency --limit 1", "latency -s Nope", "nothing-matches"]


def _age(repo) -> None:
    then = time.time_ns() - 3600 * 1_000_000_000
    for path in (repo / "backlog").rglob("*.md"):
        os.utime(path, ns=(then, then), follow_symlinks=False)


@pytest.fixture
def listed(flowops, repo):
    assert flowops("init").exit_code == 0
    for args in ("'Checkout latency' -l perf --priority high -a @sara -d 'keep the latency budget'",
                 "'Payment errors' -s 'In Progress' --priority low",
                 "'Old budget work' -s Done -d 'latency budget met'",
                 "'Sub of one' -p TASK-1 -d latency"):
        assert flowops(f"task create {args}").exit_code == 0, args
    docs = repo / "backlog" / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "doc-1 - Latency guide.md").write_text("---\nid: doc-1\ntitle: Latency guide\ntype: guide\n---\n\nLatency guide.\n")
    (docs / "doc-2 - Broken.md").write_text("---\nid: doc-2\ntitle: [unclosed\n---\n")
    tasks = repo / "backlog" / "tasks"
    (tasks / "task-9 - Broken.md").write_text("---\nid: TASK-9\ntitle: [unclosed\n---\n")
    one = next(tasks.glob("task-2 *.md"))
    (tasks / "task-2 - Copy.md").write_bytes(one.read_bytes())  # an id two files claim
    _age(repo)
    return repo


def _runs(flowops, user_cache_dir, command: str):
    """The command with no cache, then with the per-file parts, then from the columns part (and its forked check)."""
    shutil.rmtree(user_cache_dir, ignore_errors=True)
    user_cache_dir.mkdir()
    results = [flowops(command) for _ in range(2)]
    assert list(user_cache_dir.glob("*/tasks-columns-*.json")), "the second run writes the columns part"
    return [*results, flowops(command)]


@pytest.mark.parametrize("options", LIST_OPTIONS)
@pytest.mark.parametrize("in_child", [False, True])
def test_a_plain_listing_says_the_same_cold_warm_and_from_the_columns(listed, flowops, user_cache_dir, monkeypatch, options, in_child):
    monkeypatch.setattr(store, "CHECK_IN_CHILD_FROM", 0 if in_child else 10**9)
    cold, warm, served = _runs(flowops, user_cache_dir, f"task list --plain {options}")
    assert cold == warm == served
    if "Nope" not in options and "99" not in options:
        assert cold.exit_code == 0 and cold.stdout
    # Unreadable files and duplicate ids are reported before anything else, as always.
    assert cold.stderr.index("task-9 - Broken.md") < cold.stderr.index("TASK-2 is claimed by 2 files")


@pytest.mark.parametrize("options", SEARCH_OPTIONS)
def test_a_plain_search_says_the_same_cold_warm_and_from_the_columns(listed, flowops, user_cache_dir, options):
    cold, warm, served = _runs(flowops, user_cache_dir, f"search --plain {options}")
    assert cold == warm == served


def test_an_unknown_status_is_refused_after_the_listing_warnings(listed, flowops, user_cache_dir):
    for command in ("task list --plain -s Nope", "search latency --plain -s Nope"):
        for result in _runs(flowops, user_cache_dir, command):
            assert result.exit_code != 0 and "unknown status 'Nope'" in result.stderr
            assert result.stderr.index("task-9 - Broken.md") < result.stderr.index("unknown status")


def test_search_reports_unreadable_tasks_before_unreadable_documents(listed, flowops, user_cache_dir):
    for result in _runs(flowops, user_cache_dir, "search latency --plain"):
        assert result.exit_code == 0 and "Latency guide" in result.stdout and "Checkout latency" in result.stdout
        assert result.stderr.index("task-9 - Broken.md") < result.stderr.index("doc-2 - Broken.md")
