"""Both tools share one backlog: flowops init suits Backlog.md, and ids continue across the tools."""

from __future__ import annotations

import pytest

from tests.interop.scenario import list_differences

pytestmark = pytest.mark.interop


def test_backlog_md_works_in_a_backlog_made_by_flowops_init(empty_repo):
    empty_repo.flowops("init", "shared")
    assert empty_repo.backlog("task", "list", "--plain").stdout == "No tasks found.\n"
    created = empty_repo.backlog("task", "create", "Made by backlog", "--ac", "works")
    assert empty_repo.created_id(created) == "TASK-1"
    assert empty_repo.created_id(empty_repo.flowops("task", "create", "Made by flowops")) == "TASK-2"
    listed = empty_repo.backlog("task", "list", "--plain").stdout
    assert listed == "To Do:\n  TASK-1 - Made by backlog (ac: 0/1)\n  TASK-2 - Made by flowops\n\n"


@pytest.fixture(scope="module")
def shared(new_side):
    """Tasks made alternately by the two tools, with an archived top id in between."""
    side = new_side("shared-ids")
    made = []
    for title in ("One", "Two", "Three"):
        made.append(side.created_id(side.backlog("task", "create", title)))
    made.append(side.created_id(side.backlog("task", "create", "-p", "TASK-1", "Sub one")))
    side.backlog("task", "archive", "TASK-3")
    made.append(side.created_id(side.flowops("task", "create", "Four", "--priority", "high")))
    made.append(side.created_id(side.flowops("task", "create", "-p", "TASK-1", "Sub two")))
    made.append(side.created_id(side.backlog("task", "create", "Five")))
    made.append(side.created_id(side.flowops("task", "create", "Draft", "--draft")))
    side.made = made
    return side


def test_ids_continue_across_the_tools_and_an_archived_id_is_not_reused(shared):
    assert shared.made == ["TASK-1", "TASK-2", "TASK-3", "TASK-1.1", "TASK-4", "TASK-1.2", "TASK-5", "DRAFT-1"]
    assert shared.task_file("TASK-3").parent.as_posix().endswith("backlog/archive/tasks")


def test_a_mixed_backlog_lists_the_same_through_both_tools(shared):
    reads = shared.read_all(
        [(tool, args) for args in (("task", "list", "--plain"), ("task", "list", "--json")) for tool in ("backlog", "flowops")]
    )
    assert reads.flowops("task", "list", "--plain") == reads.backlog("task", "list", "--plain")
    assert list_differences(reads.backlog_json("task", "list")["tasks"], reads.flowops_json("task", "list")["tasks"]) == {}


def test_decisions_and_documents_are_shared_between_the_tools(empty_repo):
    empty_repo.flowops("init", "shared")
    empty_repo.backlog("decision", "create", "Use Postgres")
    empty_repo.flowops("decision", "create", "Adopt OpenTelemetry", "--status", "accepted")
    theirs = empty_repo.backlog_json("decision", "list", "--json")["decisions"]
    ours = empty_repo.flowops_json("decision", "list", "--json")["decisions"]
    assert [(d["id"], d["title"], d["status"], d["date"]) for d in theirs] == [
        (d["id"], d["title"], d["status"], d["date"]) for d in ours
    ]
    assert [d["id"] for d in ours] == ["decision-1", "decision-2"]
    empty_repo.backlog("doc", "create", "Architecture")
    empty_repo.flowops("doc", "create", "Runbook: High latency", "-t", "guide", "-c", "## Symptoms\n\nslow")
    listed = empty_repo.backlog("doc", "list", "--plain").stdout
    assert "doc-1 - Architecture" in listed and "doc-2 - Runbook: High latency" in listed
