"""Judging a generated document against its skeleton: prompts left, with or without their marker."""

from __future__ import annotations

from flowops.skeleton import prompts_left

MARKER = "TODO(postmortem)"
SKELETON = f"""# Postmortem

## Impact

- {MARKER}: how many users were affected, for how long, and what they could not do.

## Timeline

1. {MARKER}: when the first alert fired and who acknowledged it.
"""


def test_an_untouched_skeleton_has_every_prompt_left_with_its_marker():
    left = prompts_left(SKELETON, SKELETON, MARKER)
    assert [(p.line, p.marker) for p in left] == [(5, True), (9, True)]
    assert left[0].prompt == "how many users were affected, for how long, and what they could not do."


def test_removing_only_the_marker_leaves_the_prompt_and_it_is_still_reported():
    edited = SKELETON.replace(f"{MARKER}: ", "")
    left = prompts_left(edited, SKELETON, MARKER)
    assert [(p.line, p.marker) for p in left] == [(5, False), (9, False)]


def test_a_prompt_with_words_added_after_it_is_still_a_prompt_left():
    edited = SKELETON.replace(f"{MARKER}: when the first alert fired and who acknowledged it.",
                              "When the first alert fired and who acknowledged it. (see chat)")
    assert [p.line for p in prompts_left(edited, SKELETON, MARKER)] == [5, 9]


def test_written_text_in_place_of_every_prompt_is_filled():
    written = SKELETON.replace(f"- {MARKER}: how many users were affected, for how long, and what they could not do.",
                               "- 12% of checkouts failed for 37 minutes; customers could not pay by card.")
    written = written.replace(f"1. {MARKER}: when the first alert fired and who acknowledged it.",
                              "1. 14:02 CheckoutErrorBudgetBurn fired; @sara acknowledged at 14:04.")
    assert prompts_left(written, SKELETON, MARKER) == []


def test_a_marker_anywhere_counts_even_on_a_line_that_is_no_prompt():
    text = SKELETON.replace("## Timeline", f"## Timeline\n\n{MARKER} add the chat log")
    assert any(p.marker and "add the chat log" in p.prompt for p in prompts_left(text, SKELETON, MARKER))


def test_emphasis_case_and_bullets_do_not_hide_a_prompt():
    edited = "* **How many users were affected, for how long, and what they could not do**\n"
    assert [p.line for p in prompts_left(edited, SKELETON, MARKER)] == [1]
