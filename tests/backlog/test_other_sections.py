"""Sections Backlog.md does not know (an incident's Timeline): written at creation, edited in place, kept by other edits."""

from __future__ import annotations

from flowops.backlog.store import NewTask

TIMELINE = "## Timeline\n\n- 2026-11-02T08:47:12Z [opened sara] checkout returns 502s"


def _append(line):
    def edit(_task, body):
        block = body.other_block("Timeline")
        body.set_other_block("Timeline", (block.text if block else "## Timeline\n") + "\n" + line)

    return edit


def test_a_new_task_carries_its_other_sections_after_the_description(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Checkout 502s", description="Users see 502 on /pay", sections=[TIMELINE],
                                  acceptance_criteria=["Error rate below 1% for 30 minutes"]))
    text = task.path.read_text(encoding="utf-8")
    description_end = text.index("<!-- SECTION:DESCRIPTION:END -->")
    assert description_end < text.index("## Timeline") < text.index("## Acceptance Criteria")
    assert text.endswith("<!-- AC:END -->\n")
    assert "\n\n## Timeline\n\n- 2026-11-02T08:47:12Z [opened sara] checkout returns 502s\n\n## Acceptance Criteria\n" in text


def test_editing_an_other_section_changes_only_that_block_and_sets_updated_date(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Checkout 502s", description="Users see 502", sections=[TIMELINE]))
    before = task.path.read_text(encoding="utf-8")
    update = backlog.update(task.id, lambda t: None, edit_body=_append("- 2026-11-02T08:52:00Z [note sara] rolled back"))
    assert update.changed == ["body"]
    after = task.path.read_text(encoding="utf-8")
    assert after.replace("- 2026-11-02T08:52:00Z [note sara] rolled back\n", "") .split("---", 2)[2] == before.split("---", 2)[2]
    assert after.endswith("[opened sara] checkout returns 502s\n- 2026-11-02T08:52:00Z [note sara] rolled back\n")
    assert update.after.updated_date


def test_a_body_edit_that_changes_nothing_writes_nothing(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Checkout 502s", sections=[TIMELINE]))
    data, mtime = task.path.read_bytes(), task.path.stat().st_mtime_ns

    def same(_task, body):
        body.set_other_block("Timeline", body.other_block("Timeline").text)

    assert backlog.update(task.id, lambda t: None, edit_body=same).changed == []
    assert (task.path.read_bytes(), task.path.stat().st_mtime_ns) == (data, mtime)


def test_field_edits_keep_the_other_section_byte_for_byte(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Checkout 502s", description="Users see 502", sections=[TIMELINE]))

    def edit(t):
        t.status = "In Progress"
        t.implementation_notes = "Rolled back v1.4.3"
        t.description = "Users see 502 on /pay"

    backlog.update(task.id, edit)
    text = task.path.read_text(encoding="utf-8")
    assert "\n" + TIMELINE + "\n" in text and text.count("## Timeline") == 1
    assert "Users see 502 on /pay" in text and "Rolled back v1.4.3" in text


def test_a_missing_other_section_is_inserted_after_the_description(backlog_project):
    _project, backlog = backlog_project
    task = backlog.create(NewTask("Checkout 502s", description="Users see 502", implementation_notes="none yet"))
    backlog.update(task.id, lambda t: None, edit_body=_append("- 2026-11-02T08:52:00Z [note sara] rolled back"))
    text = task.path.read_text(encoding="utf-8")
    assert text.index("<!-- SECTION:DESCRIPTION:END -->") < text.index("## Timeline") < text.index("## Implementation Notes")
    assert "## Timeline\n\n- 2026-11-02T08:52:00Z [note sara] rolled back\n\n## Implementation Notes" in text
