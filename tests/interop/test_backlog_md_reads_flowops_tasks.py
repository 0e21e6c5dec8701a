"""Tasks created and edited by flowops read the same through the real Backlog.md CLI."""

from __future__ import annotations

import pytest

from tests.interop.scenario import DRAFTS, IDS, STEPS, field_differences, list_differences, without_dependents_block

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def written(new_side):
    side = new_side("flowops-written")
    for step in STEPS:
        side.flowops(*step)
    return side


@pytest.fixture(scope="module")
def reads(written):
    commands = [("backlog", ("task", "list", "--json")), ("flowops", ("task", "list", "--json"))]
    for task_id in IDS:
        for mode in ("--json", "--plain"):
            commands += [("backlog", ("task", "view", task_id, mode)), ("flowops", ("task", "view", task_id, mode))]
    for draft_id in DRAFTS:
        commands += [("backlog", ("draft", "view", draft_id, "--plain")), ("flowops", ("task", "view", draft_id, "--plain"))]
    commands.append(("backlog", ("draft", "list", "--plain")))
    return written.read_all(commands)


def test_flowops_allocates_the_ids_backlog_md_would(reads):
    assert sorted(t["id"] for t in reads.backlog_json("task", "list")["tasks"]) == sorted(IDS)


@pytest.mark.parametrize("task_id", IDS)
def test_backlog_md_view_json_equals_flowops_view_json(reads, task_id):
    theirs = reads.backlog_json("task", "view", task_id)
    ours = reads.flowops_json("task", "view", task_id)
    assert field_differences(theirs["task"], ours["task"]) == {}


def test_backlog_md_list_json_equals_flowops_list_json(reads):
    assert list_differences(reads.backlog_json("task", "list")["tasks"], reads.flowops_json("task", "list")["tasks"]) == {}


@pytest.mark.parametrize("task_id", IDS)
def test_backlog_md_plain_view_equals_flowops_plain_view(reads, task_id):
    theirs = reads.backlog("task", "view", task_id, "--plain")
    assert reads.flowops("task", "view", task_id, "--plain") == without_dependents_block(theirs)


@pytest.mark.parametrize("draft_id", DRAFTS)
def test_backlog_md_reads_a_flowops_draft(reads, draft_id):
    assert reads.backlog("draft", "view", draft_id, "--plain") == reads.flowops("task", "view", draft_id, "--plain")
    assert f"{draft_id} - Draft thing" in reads.backlog("draft", "list", "--plain")


def test_backlog_md_edits_a_flowops_task_and_flowops_reads_the_edit(written, tmp_path):
    side = written.copy(tmp_path / "repo")
    side.backlog("task", "edit", "TASK-2", "--ac", "added by backlog", "--check-ac", "1", "--notes", "from backlog")
    reads = side.read_all([("backlog", ("task", "view", "TASK-2", "--json")), ("flowops", ("task", "view", "TASK-2", "--json"))])
    theirs = reads.backlog_json("task", "view", "TASK-2")
    ours = reads.flowops_json("task", "view", "TASK-2")
    assert ours["task"]["acceptanceCriteria"] == [{"index": 1, "text": "added by backlog", "checked": True}]
    assert field_differences(theirs["task"], ours["task"]) == {}
