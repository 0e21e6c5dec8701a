"""The postmortem document: the generated skeleton is unfilled, a written one passes, and skeleton left anywhere is found."""

from __future__ import annotations

import pytest

from flowops.incidents.postmortem import (
    SECTIONS,
    action_items,
    annotate,
    check_postmortem,
    render_postmortem,
    task_id_pattern,
)

PATTERN = task_id_pattern("task")
WRITTEN = """# Postmortem: TASK-2 HighErrorRate

## Overview and impact

For 44 minutes 3.1% of checkout requests failed with 502.

## Timeline

- 08:47 HighErrorRate fired; 09:18 rolled back.

## Root cause and contributing factors

The payment client's pool size default changed with the library upgrade.

## What went well

The runbook's first query found the dependency within 5 minutes.

## Lessons learned

Pin the defaults that matter; we were lucky traffic was low.

## Action items

- [ ] Add an error-ratio check to the canary @sara due 2026-11-20
- [x] Pin the pool size in deploy/checkout/values.yaml (TASK-2.2)
"""


def skeleton() -> str:
    return render_postmortem([("Incident", "TASK-2 HighErrorRate")], ["- 2026-11-02T08:47:12Z [opened alertmanager] x"], "TASK-2")


def test_the_generated_skeleton_is_unfilled_in_every_section():
    findings = check_postmortem(skeleton())
    assert {f.section for f in findings} == {section.title for section in SECTIONS}
    assert all(f.line for f in findings)
    assert action_items(skeleton(), PATTERN) == []


def test_a_written_postmortem_passes():
    assert check_postmortem(WRITTEN) == []


@pytest.mark.parametrize(
    "prompt_line",
    [
        "- TODO(postmortem): Note what helped: the alert, the runbook, tools, people.",
        "- Note what helped: the alert, the runbook, tools, people.",  # the marker removed, the prompt left
        "Note what helped: the alert, the runbook, tools, people",  # bullet and full stop gone too
        "* [ ] TODO: note what helped: the alert, the runbook, tools, people. Mostly the runbook.",  # answered after it
        "The runbook helped. TODO(postmortem)",
    ],
)
def test_a_prompt_left_in_any_form_is_skeleton(prompt_line):
    text = WRITTEN.replace("The runbook's first query found the dependency within 5 minutes.", prompt_line)
    findings = check_postmortem(text)
    assert len(findings) == 1
    assert findings[0].section == "What went well" and findings[0].line == WRITTEN.splitlines().index("## What went well") + 3


def test_a_missing_or_empty_section_is_unfilled():
    without = WRITTEN.replace("## Lessons learned\n\nPin the defaults that matter; we were lucky traffic was low.\n\n", "")
    assert [f.message for f in check_postmortem(without)] == ["the section 'Lessons learned' is missing"]
    empty = WRITTEN.replace("Pin the defaults that matter; we were lucky traffic was low.", "<!-- later -->")
    assert [f.message for f in check_postmortem(empty)] == ["the section 'Lessons learned' has no text of its own"]


def test_headings_in_other_words_and_levels_count_and_fences_are_not_headings():
    text = (WRITTEN.replace("## Overview and impact", "### 1. Impact")
            .replace("## Root cause and contributing factors", "## Root causes & contributing factors")
            .replace("## Lessons learned", "## Lessons"))
    text = text.replace("The payment client's", "```\n## What went well\n```\nThe payment client's")
    assert check_postmortem(text) == []


def test_action_items_carry_owner_due_date_and_the_task_that_tracks_them():
    items = action_items(WRITTEN + "  with a rollback test in CI\n\nSome closing remark.\n", PATTERN)
    assert [(i.line, i.owner, i.due, i.checked, i.task_ids) for i in items] == [
        (25, "@sara", "2026-11-20", False, []),
        (26, None, None, True, ["TASK-2.2"]),
    ]
    assert items[1].detail == "with a rollback test in CI"
    assert items[1].title() == "Pin the pool size in deploy/checkout/values.yaml"
    annotated = annotate(WRITTEN, items[0], "TASK-2.3")
    assert "- [ ] Add an error-ratio check to the canary @sara due 2026-11-20 (TASK-2.3)\n" in annotated
    assert annotate(annotated, items[0], "TASK-2.3") == annotated
