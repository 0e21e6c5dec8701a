"""Reading on every core gives what reading file by file gives, whatever travels back from the children."""

from __future__ import annotations

import datetime

import pytest

from flowops.backlog import bulkread


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)


def test_every_position_is_worked_once_in_order_of_its_range(parallel):
    answers = bulkread.in_chunks(7, lambda positions: [(i, f"item {i}", [i] * 2, None) for i in positions])
    seen = sorted(item for _positions, answer in answers for item in answer)
    assert seen == [(i, f"item {i}", [i] * 2, None) for i in range(7)]
    for positions, answer in answers:
        assert [item[0] for item in answer] == list(positions)


def test_an_answer_marshal_cannot_hold_comes_back_pickled(parallel):
    # Unknown frontmatter keys may hold YAML dates: marshal refuses them, pickle carries them.
    answers = bulkread.in_chunks(4, lambda positions: [{"reviewed": datetime.date(2026, 1, i + 1)} for i in positions])
    got = {i: value for positions, answer in answers for i, value in zip(positions, answer, strict=True)}
    assert got == {i: {"reviewed": datetime.date(2026, 1, i + 1)} for i in range(4)}


def test_a_listing_with_yaml_dates_in_unknown_keys_reads_alike_on_every_core(backlog_project, monkeypatch):
    from flowops.backlog.store import Backlog, NewTask

    project, backlog = backlog_project
    for n in range(6):
        task = backlog.create(NewTask(f"Task {n}"))
        task.path.write_text(task.path.read_text().replace("---\n\n", "reviewed: 2026-01-02\n---\n\n", 1))
    serial = Backlog(project).load(use_cache=False)
    assert all(t.extra == {"reviewed": datetime.date(2026, 1, 2)} for t in serial.tasks)
    monkeypatch.setattr(bulkread, "PARALLEL_THRESHOLD", 2)
    assert Backlog(project).load(use_cache=False).tasks == serial.tasks
